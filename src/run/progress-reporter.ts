import type { Clock } from '../core/clock.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { WorkingState } from '../domain/job.js';
import type { Progress } from '../domain/work.js';
import type { JobRecords } from './job-records.js';
import { progressLogDue, type ProgressLogged } from './progress-log-policy.js';

export interface ProgressReporterDeps {
  records: JobRecords;
  clock: Clock;
  log: Logger;
  /** How often progress may be recorded; a change of state is recorded at once. */
  intervalMs: number;
  /** Also told of every step (`convert` prints them). */
  onProgress?: (p: Progress) => void;
}

/**
 * An engine's progress as record updates: each new state at once, percentages at most every
 * `intervalMs`; and as log lines, as `progressLogDue` says (a percentage at most every 10 s per job). Never blocks the engine; a failed write is logged.
 */
export function progressReporter(id: string, deps: ProgressReporterDeps): (p: Progress) => void {
  let lastState: WorkingState | undefined;
  let lastWrite = 0;
  let logged: ProgressLogged | undefined;
  return (p) => {
    deps.onProgress?.(p);
    const now = deps.clock.now();
    const stateChanged = p.stage !== lastState;
    if (p.message && progressLogDue(logged, p, now)) {
      logged = { stage: p.stage, at: now, message: p.message };
      deps.log.info({ stage: p.stage, percent: p.percent }, p.message);
    }
    if (!stateChanged && now - lastWrite < deps.intervalMs) return;
    lastWrite = now;
    lastState = p.stage;
    deps.records
      .update(id, { state: p.stage, percent: p.percent, message: p.message })
      .catch((err: unknown) =>
        deps.log.warn({ err: toVideoInboxError(err).message }, 'Could not record progress'),
      );
  };
}
