import type { JobError, JobState } from '../domain/job.js';

/** What a job looks like to a watcher of the daemon (page, API, webhook): no plan, no remote ids. */
export interface JobView {
  id: string;
  folder: string;
  file: string;
  source: string;
  state: JobState;
  engine: 'nemo' | 'local';
  percent?: number;
  message?: string;
  output?: string;
  error?: JobError;
  /** A failed job's source where it now lies, in `<inbox>/_failed/`. */
  setAsideTo?: string;
  heldReason?: string;
  /** Cluster mode: the node that runs the job (or ran it last). */
  node?: string;
  attempts: number;
  size: number;
  createdAt: number;
  updatedAt: number;
}

/** Everything the daemon announces. Each published event gets a monotonically increasing `id`. */
export type DaemonEvent =
  | { type: 'job.created'; job: JobView }
  | { type: 'job.stage'; job: JobView; from: JobState }
  | { type: 'job.progress'; job: JobView }
  | { type: 'job.done'; job: JobView }
  | { type: 'job.failed'; job: JobView }
  | { type: 'job.held'; job: JobView }
  | { type: 'rules.reloaded'; folder: string; version?: string; error?: string }
  | { type: 'paused'; drain: boolean; reason: 'user' | 'schedule' }
  | { type: 'resumed' };

export type EventType = DaemonEvent['type'];

export type Stamped<E extends DaemonEvent = DaemonEvent> = E & { id: number; at: number };
