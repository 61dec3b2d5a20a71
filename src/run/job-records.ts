import { withConfigFlag } from '../core/cli-command.js';
import { applyPatch, type JobPatch, type JobRecord } from '../domain/job.js';

/**
 * Where a running job records its progress, checkpoints (remote ids) and outcome: the journal for the
 * daemon, memory for `convert`, a queue's job data for a cluster worker. The engine awaits a
 * checkpoint before it trusts the step it belongs to, so a store must persist before it resolves.
 */
export interface JobRecords {
  update(id: string, patch: JobPatch): Promise<unknown>;
}

/**
 * Records whose error hints name the daemon's config in their commands (`withConfigFlag`), so the
 * hint `status` and the page show for a job being retried or held runs as printed.
 */
export function namingConfig(records: JobRecords, config: string | undefined): JobRecords {
  if (config === undefined) return records;
  return {
    update(id, patch) {
      const hint = patch.error?.hint;
      if (hint === undefined || !patch.error) return records.update(id, patch);
      return records.update(id, { ...patch, error: { ...patch.error, hint: withConfigFlag(hint, config) } });
    },
  };
}

/** Records kept in memory only (a one-off run with nothing to resume): the latest state of one job. */
export function memoryJobRecords(job: JobRecord, now: () => number): JobRecords & { current(): JobRecord } {
  let current = job;
  return {
    update(id, patch) {
      if (id === current.id) current = applyPatch(current, patch, now());
      return Promise.resolve(current);
    },
    current: () => current,
  };
}
