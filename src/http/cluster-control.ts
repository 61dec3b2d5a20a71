import type { EventBus } from '../events/event-bus.js';
import type { JobView } from '../events/events.js';
import { isFinalState } from '../domain/job.js';
import type { ActionResult, ClusterView, Control, JobQuery } from './control.js';
import { trackHistory } from './job-history.js';

/** What the page and API may read and steer of the cluster, from this node. */
export interface ClusterControlSource {
  /** This node's name. */
  node: string;
  /** The cluster's jobs (open ones and recent finished ones), each with the node that runs it. */
  jobs(): Promise<JobView[]>;
  nodes(): Promise<ClusterView['nodes']>;
  cloudPaused(): Promise<boolean>;
  /** This node takes no new jobs (the ones it runs finish); the other nodes go on. */
  pauseNode(): Promise<void>;
  resumeNode(): Promise<void>;
  /** Puts a failed job's source back in its inbox (the same use case as `video-inbox retry`). */
  retrySource(job: JobView): Promise<ActionResult>;
}

/**
 * The Control port in cluster mode: jobs and nodes come from the shared Redis; folders, credits,
 * readiness and the recent log from `base` (this node's control). What one node cannot do for the
 * whole cluster answers 409 with the reason.
 */
export function createClusterControl(
  base: Control & { close(): void },
  source: ClusterControlSource,
  bus: EventBus,
): Control & { close(): void } {
  const history = trackHistory(bus);
  const find = async (id: string) => (await source.jobs()).find((j) => j.id === id);
  return {
    ...base,
    close() {
      history.stop();
      base.close();
    },
    async listJobs(filter, page) {
      const all = (await source.jobs())
        .filter((j) => matches(j, filter))
        .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
      return { jobs: all.slice(page.offset, page.offset + page.limit), total: all.length };
    },
    async getJob(id) {
      const job = await find(id);
      if (!job) return undefined;
      const seen = history.of(id);
      const latest = {
        at: job.updatedAt,
        state: job.state,
        ...(job.message ? { message: job.message } : {}),
      };
      return { ...job, history: seen.length > 0 ? seen : [latest] };
    },
    async retry(id): Promise<ActionResult> {
      const job = await find(id);
      if (!job) return { ok: false, status: 404, code: 'NOT_FOUND', message: 'No such job' };
      if (job.state === 'done')
        return {
          ok: false,
          status: 409,
          code: 'CLUSTER_DONE',
          message:
            'In cluster mode a done video is not converted again: the cluster remembers its content as converted',
        };
      if (!isFinalState(job.state))
        return {
          ok: false,
          status: 409,
          code: 'NOT_FINAL',
          message: `The job is ${job.state}; only failed jobs can be retried`,
        };
      return source.retrySource(job);
    },
    async cancel(id): Promise<ActionResult> {
      const job = await find(id);
      if (!job) return { ok: false, status: 404, code: 'NOT_FOUND', message: 'No such job' };
      return {
        ok: false,
        status: 409,
        code: 'CLUSTER_MODE',
        message: `Cancel is not available in cluster mode (the job ${job.node ? `runs on ${job.node}` : 'may run on any node'}); pause a node to stop it taking jobs`,
      };
    },
    async pause() {
      // A node's pause lets the jobs it runs finish (as "pause after current"); the others go on.
      await base.pause({ drain: true });
      await source.pauseNode();
      return base.pauseState();
    },
    async resume() {
      await base.resume();
      await source.resumeNode();
      return base.pauseState();
    },
    async cluster() {
      const [nodes, cloudPaused] = await Promise.all([source.nodes(), source.cloudPaused()]);
      return { node: source.node, nodes, cloudPaused };
    },
  };
}

function matches(j: JobView, filter: JobQuery): boolean {
  if (filter.state && !filter.state.includes(j.state)) return false;
  if (filter.folder && j.folder !== filter.folder) return false;
  const q = filter.q?.toLowerCase();
  return !q || j.file.toLowerCase().includes(q);
}
