import type { JobRecord } from '../domain/job.js';
import type { JobView } from './events.js';

export function jobView(job: JobRecord): JobView {
  return {
    id: job.id,
    folder: job.folder,
    file: job.sourceName,
    source: job.source,
    state: job.state,
    engine: job.engine,
    ...(job.percent !== undefined ? { percent: job.percent } : {}),
    ...(job.message !== undefined ? { message: job.message } : {}),
    ...(job.output !== undefined ? { output: job.output } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
    // Kept by the record after a retry took the file back; only a failed job is still set aside.
    ...(job.state === 'failed' && job.setAsideTo !== undefined ? { setAsideTo: job.setAsideTo } : {}),
    ...(job.heldReason !== undefined ? { heldReason: job.heldReason } : {}),
    attempts: job.attempts,
    size: job.size,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
