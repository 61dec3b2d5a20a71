import type { JobState } from '../domain/job.js';
import type { ClusterBackend } from './backend.js';
import { clusterView } from './cluster-view.js';
import type { NodeBeat } from './heartbeat.js';

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

const RECENT = 20;

/** Reads the whole cluster's jobs and live nodes from Redis (for `status`). */
export async function readClusterStatus(
  backend: Pick<ClusterBackend, 'redis' | 'queue'>,
): Promise<ClusterStatus> {
  const view = clusterView(backend);
  const jobs = (await view.jobs(RECENT)).map((j): ClusterStatusJob => ({
    id: j.id,
    queue: j.engine === 'local' ? 'local' : 'cloud',
    queueState: j.queueState,
    state: j.state,
    ...(j.node ? { node: j.node } : {}),
    folder: j.folder,
    file: j.source,
    ...(j.percent !== undefined ? { percent: j.percent } : {}),
    ...(j.message !== undefined ? { message: j.message } : {}),
    ...(j.output !== undefined ? { output: j.output } : {}),
    ...(j.error ? { error: j.error } : {}),
    updatedAt: new Date(j.updatedAt).toISOString(),
  }));
  return { nodes: await view.nodes(), jobs, cloudPaused: await view.cloudPaused() };
}
