import type { Queue } from 'bullmq';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { ClusterJobData } from './job-data-store.js';

export type Queues = Record<JobPlan['engine'], Queue<ClusterJobData>>;

/** Adds the job unless a job of its id is queued or running; a finished failed one is tried anew. */
export async function enqueue(queues: Queues, record: JobRecord): Promise<boolean> {
  const queue = queues[record.engine];
  const existing = await queue.getJob(record.id);
  if (existing) {
    const state = await existing.getState();
    // A finished job of this id whose content is not in the done-set failed (its source was set
    // aside) and was put back by a person: that is a new attempt.
    if (state !== 'completed' && state !== 'failed') return false;
    await existing.remove().catch(() => undefined);
  }
  const before = await queue.getJob(record.id);
  if (before) return false;
  await queue.add('convert', { record }, { jobId: record.id });
  return true;
}

/** True when the job of this id is about another copy of the same content (another path). */
export async function twinElsewhere(queues: Queues, id: string, path: string): Promise<boolean> {
  const job = (await queues.nemo.getJob(id)) ?? (await queues.local.getJob(id));
  return job !== undefined && job.data.record.source !== path;
}
