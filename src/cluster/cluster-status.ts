import type { Job, Queue } from 'bullmq';
import type { JobState } from '../domain/job.js';
import { CLOUD_QUEUE, LOCAL_QUEUE, type ClusterBackend, type ClusterJobResult } from './backend.js';
import { liveNodes, type NodeBeat } from './heartbeat.js';
import type { ClusterJobData } from './job-data-store.js';

/** A cluster job as `status` shows it: its record's state, the queue's view of it, and its node. */
export interface ClusterStatusJob {
  id: string;
  queue: 'cloud' | 'local';
  /** BullMQ's state: active (a node runs it), waiting, delayed (retry, hold or hand-over), completed, failed. */
  queueState: string;
  state: JobState;
  /** The node that runs it (or ran it last). */
  node?: string;
  folder: string;
  file: string;
  percent?: number;
  message?: string;
  output?: string;
  error?: { code: string; message: string; hint?: string };
  updatedAt: string;
}

export interface ClusterStatus {
  nodes: NodeBeat[];
  jobs: ClusterStatusJob[];
  /** The cloud queue is paused for every node (out of credits). */
  cloudPaused: boolean;
}

const OPEN_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;
const RECENT = 20;

/** Reads the whole cluster's jobs and live nodes from Redis (for `status`). */
export async function readClusterStatus(
  backend: Pick<ClusterBackend, 'redis' | 'queue'>,
): Promise<ClusterStatus> {
  const queues = [backend.queue(CLOUD_QUEUE), backend.queue(LOCAL_QUEUE)];
  const jobs: ClusterStatusJob[] = [];
  for (const queue of queues) {
    for (const state of [...OPEN_STATES, 'failed', 'completed'] as const) {
      const end = state === 'completed' || state === 'failed' ? RECENT - 1 : -1;
      for (const job of await queue.getJobs([state], 0, end)) jobs.push(statusJob(queue, job, state));
    }
  }
  return {
    nodes: await liveNodes(backend.redis),
    jobs,
    cloudPaused: await queues[0]!.isPaused(),
  };
}

function statusJob(
  queue: Queue<ClusterJobData>,
  job: Job<ClusterJobData>,
  queueState: string,
): ClusterStatusJob {
  const r = job.data.record;
  const result = job.returnvalue as ClusterJobResult | null | undefined;
  return {
    id: r.id,
    queue: queue.name === LOCAL_QUEUE ? 'local' : 'cloud',
    queueState,
    state: r.state,
    node: result?.node ?? job.data.node,
    folder: r.folder,
    file: r.source,
    percent: r.percent,
    message: r.message,
    output: r.output ?? (result && result.kind !== 'failed' ? result.output : undefined),
    error: r.error,
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}
