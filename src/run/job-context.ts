import type { Clock } from '../core/clock.js';
import type { VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { Progress } from '../domain/work.js';
import type { Engine } from '../engines/engine.js';
import type { Notifier } from '../notify/notifier.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import type { FreshProbes } from './fresh-probes.js';
import type { JobRecords } from './job-records.js';
import type { JobPolicy } from './outcome.js';

export interface RunJobDeps {
  /** Where progress, checkpoints and the outcome are recorded (the journal, memory, a queue). */
  records: JobRecords;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  fs: OutboxFs;
  /** The content hash (sha256, as intake computes it), to tell a source's identity when in doubt. */
  hashFile: (path: string) => Promise<string>;
  notifier: Notifier;
  log: Logger;
  clock: Clock;
  ffprobe?: string;
  /** Probes of sources made when they were taken, handed to the local engine (see FreshProbes). */
  probes?: FreshProbes;
  /** How often progress may be recorded; stage changes are recorded at once. */
  progressIntervalMs?: number;
  /** Also told of every progress step (`convert` prints them). */
  onProgress?: (p: Progress) => void;
  /** What a failure means; the daemon's (retry, hold, set aside) unless given. */
  policy?: JobPolicy;
  /** Says once per path that a `_done`/`_failed` is blocked by a file (the daemon's; none for `convert`). */
  blockedFolders?: BlockedFolderReporter;
  /** The daemon's config when not the default, named in the commands it prints (see failSource). */
  printedConfig?: string;
}

export type RunResult =
  | { kind: 'done'; output: string }
  | { kind: 'failed'; error: VideoInboxError; setAsideTo?: string }
  | { kind: 'held'; reason: 'credits'; error: VideoInboxError }
  | { kind: 'retry'; delayMs: number; error: VideoInboxError }
  | { kind: 'checkpoint' };

/** One run of one job: what every step of `runJob` is given. */
export interface JobContext {
  job: JobRecord;
  plan: JobPlan;
  deps: RunJobDeps;
  log: Logger;
  signal: AbortSignal;
}

/** A job id made safe for a file name in the outbox (temp folders, write checks). */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
