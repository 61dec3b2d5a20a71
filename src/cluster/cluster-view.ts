import type { Job, Queue } from 'bullmq';
import type { JobView } from '../events/events.js';
import { jobView } from '../events/job-view.js';
import { CLOUD_QUEUE, LOCAL_QUEUE, type ClusterBackend, type ClusterJobResult } from './backend.js';
import { liveNodes, type NodeBeat } from './heartbeat.js';
import type { ClusterJobData } from './job-data-store.js';

/** A cluster job as the page and REST API show it: the record, the node that runs (or ran) it. */
export type ClusterJobView = JobView & { node?: string; queueState: string };

/** BullMQ's states a job can be in (a paused queue's jobs stay `waiting`). */
export const QUEUE_STATES = [
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
const OPEN_STATES = QUEUE_STATES.filter((s) => s !== 'completed' && s !== 'failed');

export interface ClusterView {
  /** Every open job and the `finished` most recent completed and failed ones of each queue. */
  jobs(finished: number): Promise<ClusterJobView[]>;
  nodes(): Promise<NodeBeat[]>;
  /** Jobs by queue and BullMQ state, cluster-wide (for the gauges). */
  counts(): Promise<{ queue: 'cloud' | 'local'; state: string; count: number }[]>;
  cloudPaused(): Promise<boolean>;
}

/** Reads the cluster's jobs and live nodes from the shared Redis. */
export function clusterView(backend: Pick<ClusterBackend, 'redis' | 'queue'>): ClusterView {
  const queues = [backend.queue(CLOUD_QUEUE), backend.queue(LOCAL_QUEUE)];
  return {
    async jobs(finished) {
      const out: ClusterJobView[] = [];
      for (const queue of queues) {
        for (const state of [...OPEN_STATES, 'failed', 'completed'] as const) {
          const end = state === 'completed' || state === 'failed' ? finished - 1 : -1;
          if (end < 0 && (state === 'completed' || state === 'failed')) continue;
          for (const job of await queue.getJobs([state], 0, end)) {
            if (job?.data?.record) out.push(viewOf(job, state));
          }
        }
      }
      return out;
    },
    nodes: () => liveNodes(backend.redis),
    async counts() {
      const rows: { queue: 'cloud' | 'local'; state: string; count: number }[] = [];
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES)
          rows.push({ queue: queueName(queue), state, count: counts[state] ?? 0 });
      }
      return rows;
    },
    cloudPaused: () => queues[0]!.isPaused(),
  };
}

function queueName(queue: Queue<ClusterJobData>): 'cloud' | 'local' {
  return queue.name === LOCAL_QUEUE ? 'local' : 'cloud';
}

function viewOf(job: Job<ClusterJobData>, queueState: string): ClusterJobView {
  const result = job.returnvalue as ClusterJobResult | null | undefined;
  const record = job.data.record;
  const output = record.output ?? (result && result.kind !== 'failed' ? result.output : undefined);
  const node = result?.node ?? job.data.node;
  return { ...jobView({ ...record, ...(output ? { output } : {}) }), ...(node ? { node } : {}), queueState };
}
