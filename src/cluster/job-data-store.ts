import type { Job } from 'bullmq';
import type { Clock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import { applyPatch, type JobPatch, type JobRecord } from '../jobs/job.js';
import type { Journal } from '../jobs/journal.js';

/** What a cluster job carries in Redis: the same record the journal keeps, and who runs it. */
export interface ClusterJobData {
  record: JobRecord;
  /** The node that last started it. */
  node?: string;
}

export interface JobDataStore extends Journal {
  /** Set when another node took the job over (this node's lock was gone at a checkpoint). */
  readonly lost: boolean;
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
 * Seam: this is the "job record / checkpoint store" port of the one job-path function; `runJob`
 * receives it where the daemon passes the journal. Only update/get mean anything here.
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
  const only = (id: string) => (id === record.id ? { ...record } : undefined);
  const unsupported = (what: string) =>
    new VideoInboxError('INTERNAL', `${what} is not available on a cluster job's record`);
  return {
    get lost() {
      return lost;
    },
    async update(id: string, patch: JobPatch) {
      if (id !== record.id) throw unsupported('Another job');
      record = applyPatch(record, patch, opts.clock.now());
      return { ...(await write(record, patch.remote !== undefined)) };
    },
    get: only,
    list: () => [{ ...record }],
    findDone: () => undefined,
    findActiveBySource: () => undefined,
    findDoneBySource: () => undefined,
    create: () => Promise.reject(unsupported('Creating a job')),
    close: async () => {
      await chain;
    },
  };
}
