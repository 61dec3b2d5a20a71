import { toVideoInboxError, type VideoInboxError } from '../core/errors.js';
import { failSource, jobError } from '../outbox/fail-source.js';
import { outputTempPath } from '../outbox/place.js';
import type { JobContext, RunResult } from './job-context.js';
import { daemonPolicy } from './outcome.js';

/** How soon a job whose outcome could not be recorded is tried again (its state dir may be full). */
export const UNRECORDED_RETRY_MS = 10_000;

/** What a thrown error means for the job, as its policy says, recorded and told. */
export async function settle(ctx: JobContext, error: VideoInboxError): Promise<RunResult> {
  const { job, deps, log } = ctx;
  const attempts = job.attempts + 1;
  if (error.code === 'SOURCE_CHANGED') return replaced(ctx, error);
  const outcome = (deps.policy ?? daemonPolicy).outcome(error, attempts);
  const errorRecord = { code: error.code, message: error.message, hint: error.hint };
  switch (outcome.kind) {
    case 'checkpoint':
      log.info('Stopped; the job resumes from its last checkpoint at the next start');
      return { kind: 'checkpoint' };
    case 'hold':
      await deps.records.update(job.id, { state: 'held', heldReason: outcome.reason, error: errorRecord });
      return { kind: 'held', reason: outcome.reason, error };
    case 'retry':
      log.warn(
        { code: error.code, err: error.message, attempts, inMs: outcome.delayMs },
        'Job failed for now; it will be retried',
      );
      await deps.records.update(job.id, {
        state: 'queued',
        attempts,
        error: errorRecord,
        message: `Retrying after: ${error.message}`,
      });
      return { kind: 'retry', delayMs: outcome.delayMs, error };
    case 'fail':
      return fail(ctx, error, attempts);
  }
}

/**
 * The outcome itself could not be recorded (the state dir is full, say): the job must not be
 * stranded until a restart. Its temp output goes, and it runs again soon, from its last recorded
 * state (a cloud job from its checkpoints), so it moves on by itself once there is room.
 */
export async function runnerFailed(
  ctx: JobContext,
  error: VideoInboxError,
  err: unknown,
): Promise<RunResult> {
  const { job, plan, deps, log } = ctx;
  await deps.fs.unlink(outputTempPath(plan.outbox, job.id)).catch(() => undefined);
  const cause = toVideoInboxError(err);
  log.error(
    { code: error.code, recordCode: cause.code, err: cause.message, inMs: UNRECORDED_RETRY_MS },
    'Could not record the job outcome; it is tried again',
  );
  return { kind: 'retry', delayMs: UNRECORDED_RETRY_MS, error };
}

/**
 * The content this job took is no longer there under its name: the job ends (its record keeps the
 * hash of what it took, never converted, so a later copy of that content is new work) and the file
 * now there is offered to intake again, as a new job.
 */
async function replaced(ctx: JobContext, error: VideoInboxError): Promise<RunResult> {
  const { job, deps, log } = ctx;
  log.warn(
    { code: error.code },
    'The file was replaced before it was converted; the new content is a new job',
  );
  await deps.records.update(job.id, { state: 'failed', error: jobError(error), message: error.message });
  return { kind: 'failed', error };
}

async function fail(ctx: JobContext, error: VideoInboxError, attempts: number): Promise<RunResult> {
  const { job, plan, deps, log } = ctx;
  log.error({ code: error.code, err: error.message }, 'Job failed');
  const setAside = (deps.policy ?? daemonPolicy).setAsideFailed && error.code !== 'SOURCE_GONE';
  const setAsideTo = await failSource(
    deps,
    { source: job.source, inbox: plan.inbox, error, setAside },
    async (movedTo, errorRecord) => {
      await deps.records.update(job.id, {
        state: 'failed',
        attempts,
        error: errorRecord,
        setAsideTo: movedTo,
        ...(movedTo ? { output: undefined } : {}),
      });
    },
  );
  return { kind: 'failed', error, setAsideTo };
}
