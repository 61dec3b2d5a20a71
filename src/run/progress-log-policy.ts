import type { WorkingState } from '../domain/job.js';
import type { Progress } from '../domain/work.js';

/** The last progress line logged for a job. */
export interface ProgressLogged {
  stage: WorkingState;
  at: number;
  message: string;
}

/** A log reader wants a job's percentages now and then, not one line per chunk downloaded. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;

/**
 * Whether a progress step makes a log line: a change of stage at once, a new text without a
 * percentage (what the agent says) at once, a new percentage at most every `intervalMs` per job.
 */
export function progressLogDue(
  last: ProgressLogged | undefined,
  p: Progress,
  now: number,
  intervalMs = PROGRESS_LOG_INTERVAL_MS,
): boolean {
  if (!p.message || p.message === last?.message) return false;
  if (!last || p.stage !== last.stage || p.percent === undefined) return true;
  return now - last.at >= intervalMs;
}
