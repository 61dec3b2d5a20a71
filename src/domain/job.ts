import type { LocalOptions, Quality, RemoteIds } from './work.js';

/**
 * The life of one file. `held` waits for something outside the job (rules that never loaded, no
 * credits) and is still active; `done` and `failed` are final until a person asks for a retry.
 */
export type JobState =
  | 'queued'
  | 'uploading'
  | 'instructing'
  | 'rendering'
  | 'downloading'
  | 'converting'
  | 'placing'
  | 'done'
  | 'failed'
  | 'held';

/** The states a running job moves through, which engines report as progress. */
export type WorkingState = Extract<
  JobState,
  'uploading' | 'instructing' | 'rendering' | 'downloading' | 'converting' | 'placing'
>;

/** What happens to a source once its output is placed: see `applyAfterAction`. */
export type AfterAction = 'archive' | 'delete' | 'keep';

export const JOB_STATES: readonly JobState[] = [
  'queued',
  'uploading',
  'instructing',
  'rendering',
  'downloading',
  'converting',
  'placing',
  'done',
  'failed',
  'held',
];

/**
 * Everything a job needs to run, fixed when the file is taken and stored in the journal with it, so a
 * job resumed after a restart or a rule edit finishes the way it started.
 */
export interface JobPlan {
  inbox: string;
  outbox: string;
  outputName: string;
  after: AfterAction;
  engine: 'nemo' | 'local';
  instructions: string[];
  skill: string;
  language: string;
  quality: Quality;
  local?: LocalOptions;
  /** Duration of the source, when ffprobe could read it. */
  sourceDurationSec?: number;
  /** Whether the source has sound, when ffprobe could read it: the output must then have AAC sound. */
  sourceHadAudio?: boolean;
  /**
   * The source's container is one the cloud API refuses (.vob, .mts, .wmv…): a cloud job first has
   * the local engine bring it into an MP4, then uploads that.
   */
  cloudIntake?: boolean;
}

export interface JobError {
  code: string;
  message: string;
  hint?: string;
}

/** See JobRecord.reservedOutput and JobRecord.reservedArchive. */
export interface ReservedName {
  path: string;
  size: number;
  mtimeMs: number;
}

/** One job as the journal keeps it. Small on purpose: a library of 10,000 done jobs stays cheap. */
export interface JobRecord {
  id: string;
  /** The configured folder name (not a path). */
  folder: string;
  /** Absolute path of the source when the job was taken. */
  source: string;
  sourceName: string;
  size: number;
  mtimeMs: number;
  /** sha256 of the source's bytes (see hashFile): a renamed or re-copied file is the same content. */
  contentHash: string;
  /** Device, inode and ctime of the source when it was taken: see SourceIdentity. */
  dev?: number;
  ino?: number;
  ctimeMs?: number;
  /** Identifies the rule text that produced the output; a rule edit makes the same content new work. */
  ruleVersion: string;
  engine: 'nemo' | 'local';
  state: JobState;
  percent?: number;
  message?: string;
  remote: RemoteIds;
  attempts: number;
  /** Final path of the placed output, once placed. */
  output?: string;
  /**
   * On an outbox without hard links: the final name reserved (as an empty file) for the output, and
   * the size and mtime of the verified temp about to be renamed over it; recorded before the rename,
   * so a run killed in between can tell its own output, or its own empty reservation, from anyone's.
   */
  reservedOutput?: ReservedName;
  /**
   * The same for the source's archive name in `<inbox>/_done/` on an inbox without hard links, with
   * the source's size and mtime: a run killed between the reservation and the rename leaves no empty
   * file there, and one killed after the rename still knows where the source went.
   */
  reservedArchive?: ReservedName;
  error?: JobError;
  /** Where a failed job's source now lies in `<inbox>/_failed/` (absent when it could not be moved). */
  setAsideTo?: string;
  heldReason?: string;
  /** How the job runs, fixed when it was taken (absent on jobs held before their rules loaded). */
  plan?: JobPlan;
  createdAt: number;
  updatedAt: number;
}

/**
 * Which file a job took: its stamps, its place on disk (device and inode: a file renamed over the
 * name is another one) and its ctime (any write or touch since moves it), and its content hash, which
 * decides when the rest is in doubt.
 */
export type SourceIdentity = Pick<JobRecord, 'size' | 'mtimeMs' | 'dev' | 'ino' | 'ctimeMs'> & {
  contentHash?: string;
};

/** What a caller supplies to create a job; the journal fills the rest. */
export type NewJob = Omit<JobRecord, 'id' | 'state' | 'remote' | 'attempts' | 'createdAt' | 'updatedAt'> &
  Partial<Pick<JobRecord, 'id' | 'state' | 'remote' | 'attempts'>>;

/**
 * A change to a job. `remote` is merged into the recorded ids (an engine checkpoints a few ids at a
 * time); any other key replaces its value, and a key given as `undefined` clears it.
 */
export type JobPatch = Partial<Omit<JobRecord, 'id' | 'createdAt' | 'updatedAt'>>;

export function isFinalState(state: JobState): boolean {
  return state === 'done' || state === 'failed';
}

/** Jobs the pipeline runs (or resumes at start): neither final nor waiting on something outside. */
export const IN_FLIGHT_STATES: readonly JobState[] = JOB_STATES.filter(
  (s) => s !== 'done' && s !== 'failed' && s !== 'held',
);

/** Jobs that are still the daemon's business, held ones included. */
export const ACTIVE_STATES: readonly JobState[] = [...IN_FLIGHT_STATES, 'held'];

export function isActiveState(state: JobState): boolean {
  return !isFinalState(state);
}

/**
 * Applies a patch. A job that reaches `done` sheds everything only an in-flight job needs (progress,
 * remote ids, errors, reserved names), because done records are what a long-lived library accumulates.
 */
export function applyPatch(job: JobRecord, patch: JobPatch, now: number): JobRecord {
  const next: JobRecord = { ...job, ...patch, remote: { ...job.remote, ...patch.remote }, updatedAt: now };
  if (next.state === 'done') return compactDone(next);
  return dropUndefined(next);
}

export function compactDone(job: JobRecord): JobRecord {
  const {
    percent: _p,
    message: _m,
    error: _e,
    heldReason: _h,
    plan: _plan,
    reservedOutput: _ro,
    reservedArchive: _ra,
    ...rest
  } = job;
  return dropUndefined({ ...rest, remote: {} });
}

function dropUndefined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) {
    if (obj[key] === undefined) delete obj[key];
  }
  return obj;
}
