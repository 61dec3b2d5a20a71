import type { VideoInboxError } from '../core/errors.js';

/**
 * What the pipeline does with a job whose run threw. Pure, so every code's fate is one table.
 * - `checkpoint`: we were stopped; the journal already holds the job's place, resume on next start.
 * - `hold`: waiting on something outside the file (credits); resumes by itself.
 * - `retry`: transient (network, server, disk space); try again after `delayMs`.
 * - `fail`: the file itself cannot be done as asked; set it aside with the reason.
 */
export type Outcome =
  | { kind: 'checkpoint' }
  | { kind: 'hold'; reason: 'credits' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'fail' };

/** Delays between whole-job retries: a laptop that slept or lost Wi-Fi for hours still recovers. */
export const JOB_RETRY_DELAYS_MS = [
  30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000,
];

const TRANSIENT = new Set([
  'NETWORK',
  'SERVER_ERROR',
  'RATE_LIMITED',
  'SSE_TIMEOUT',
  'RENDER_TIMEOUT',
  'TOKEN_INVALID',
  'SESSION_NOT_FOUND',
  'MISSING_CLIENT_ID',
  'DISK_FULL',
  'OUTBOX_UNWRITABLE',
  'DOWNLOAD_INVALID',
  'PROTOCOL',
  'API_ERROR',
  'INTERNAL',
]);

export function decideOutcome(
  err: Pick<VideoInboxError, 'code' | 'retryable'>,
  attempts: number,
  retryDelays = JOB_RETRY_DELAYS_MS,
): Outcome {
  if (err.code === 'CANCELLED') return { kind: 'checkpoint' };
  if (err.code === 'OUT_OF_CREDITS') return { kind: 'hold', reason: 'credits' };
  if (TRANSIENT.has(err.code) || err.retryable) {
    const delay = retryDelays[attempts - 1];
    if (delay !== undefined) return { kind: 'retry', delayMs: delay };
  }
  return { kind: 'fail' };
}

/**
 * How a caller wants failures handled. The daemon retries, holds and sets failed sources aside;
 * a one-off run (`convert`) stops at the first error and leaves the file where the user put it.
 */
export interface JobPolicy {
  outcome(err: Pick<VideoInboxError, 'code' | 'retryable'>, attempts: number): Outcome;
  /** Whether a failed source moves to `<inbox>/_failed/`. */
  setAsideFailed: boolean;
}

export const daemonPolicy: JobPolicy = {
  outcome: (err, attempts) => decideOutcome(err, attempts),
  setAsideFailed: true,
};

/** The daemon's policy with the retry delays scaled so the first is `firstSeconds` (config `retrySeconds`). */
export function daemonPolicyWith(firstSeconds: number): JobPolicy {
  const first = JOB_RETRY_DELAYS_MS[0] as number;
  const delays = JOB_RETRY_DELAYS_MS.map((d) => Math.round((d * firstSeconds * 1000) / first));
  return { outcome: (err, attempts) => decideOutcome(err, attempts, delays), setAsideFailed: true };
}

/** Stopped is stopped (the run can be started again); anything else is a failure, reported at once. */
export const oneOffPolicy: JobPolicy = {
  outcome: (err) => (err.code === 'CANCELLED' ? { kind: 'checkpoint' } : { kind: 'fail' }),
  setAsideFailed: false,
};
