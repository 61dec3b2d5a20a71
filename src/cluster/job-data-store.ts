import type { Job } from 'bullmq';
import type { Clock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import { applyPatch, type JobPatch, type JobRecord } from '../domain/job.js';
import type { JobRecords } from '../run/job-records.js';

/** What a cluster job carries in Redis: the same record the journal keeps, and who runs it. */
export interface ClusterJobData {
  record: JobRecord;
  /** The node that last started it. */
  node?: string;
}

export interface JobDataStore extends JobRecords {
  /** Set when another node took the job over (this node's lock was gone at a checkpoint). */
  readonly lost: boolean;
  /** The record as last written. */
  current(): JobRecord;
}

/**
 * The journal of ONE cluster job: its record lives in the BullMQ job's data, so the node that takes
 * a stalled job over reads the remote ids (session, render id, draft fingerprint) the last owner
 * checkpointed and polls the same render. Writes are chained in order and each resolves once Redis
 * has it, exactly the promise `Journal.update` makes with its fsync.
 *
 * Before a checkpoint of remote ids is written the lock is renewed with this worker's token: a node
 * that lost the job (cut off from Redis long enough for another node to take it) learns it there
 * and stops, instead of trusting a step the new owner also takes.
 *
 * This is the `JobRecords` port of the one job path: `runJob` receives it where the daemon passes the
 * journal and `convert` its memory records.
 */
export function jobDataStore(
  job: Job<ClusterJobData>,
  opts: { clock: Clock; token: string | undefined; lockMs: number; node: string },
): JobDataStore {
  let record: JobRecord = job.data.record;
  let chain: Promise<unknown> = Promise.resolve();
  let lost = false;
  const write = async (next: JobRecord, checkLock: boolean): Promise<JobRecord> => {
    const run = chain.then(async () => {
      if (checkLock && opts.token) {
        const ok = await job.extendLock(opts.token, opts.lockMs).catch(() => 0);
        if (!ok) {
          lost = true;
          throw new VideoInboxError('CANCELLED', 'Another node took this job over', {
            context: { job: job.id },
          });
        }
      }
      await job.updateData({ record: next, node: opts.node });
    });
    chain = run.catch(() => undefined);
    try {
      await run;
    } catch (err) {
      if (err instanceof VideoInboxError) throw err;
      throw new VideoInboxError('NETWORK', 'The cluster queue (Redis) did not take the update', {
        cause: err,
        retryable: true,
        hint: 'Check that the Redis server in `cluster.redis` is running; the job resumes by itself.',
      });
    }
    return next;
  };
  return {
    get lost() {
      return lost;
    },
    async update(id: string, patch: JobPatch) {
      if (id !== record.id) throw new VideoInboxError('INTERNAL', 'A cluster job records only itself');
      record = applyPatch(record, patch, opts.clock.now());
      return { ...(await write(record, patch.remote !== undefined)) };
    },
    current: () => ({ ...record }),
  };
}
