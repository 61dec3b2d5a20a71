import type { JobRecord } from '../domain/job.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RunResult } from '../run/run-job.js';

/** Whether this run is a new start of the job (fresh, or a retry), not a resume at a checkpoint. */
export function isNewStart(job: Pick<JobRecord, 'state'>): boolean {
  return job.state === 'queued';
}

/**
 * What one run's result means for the metrics: a finished job (done, failed, held) with its duration
 * since it was taken, a retry, the error's code. A checkpoint (stopped, to resume later) counts nothing.
 */
export function recordResult(
  metrics: Metrics,
  job: Pick<JobRecord, 'folder' | 'engine' | 'createdAt'>,
  result: RunResult,
  now: number,
): void {
  if (result.kind === 'checkpoint') return;
  if (result.kind !== 'done') metrics.apiError(result.error.code);
  if (result.kind === 'retry') {
    metrics.retry(job.folder);
    return;
  }
  metrics.jobFinished(job.folder, job.engine, result.kind, Math.max(0, now - job.createdAt) / 1000);
}
