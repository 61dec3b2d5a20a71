import type { Clock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { Progress, RemoteIds } from '../domain/work.js';
import type { Engine, EngineResult } from '../engines/engine.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { deliver } from '../outbox/deliver.js';
import { failSource } from '../outbox/fail-source.js';
import { ensureFreeSpace } from '../outbox/free-space.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import { outputTempPath } from '../outbox/place.js';
import type { JobRecords } from './job-records.js';
import { daemonPolicy, type JobPolicy } from './outcome.js';
import { progressReporter } from './progress-reporter.js';
import { checkSource } from './source-check.js';

export interface RunJobDeps {
  /** Where progress, checkpoints and the outcome are recorded (the journal, memory, a queue). */
  records: JobRecords;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  fs: OutboxFs;
  notifier: Notifier;
  log: Logger;
  clock: Clock;
  ffprobe?: string;
  /** How often progress may be recorded; stage changes are recorded at once. */
  progressIntervalMs?: number;
  /** Also told of every progress step (`convert` prints them). */
  onProgress?: (p: Progress) => void;
  /** What a failure means; the daemon's (retry, hold, set aside) unless given. */
  policy?: JobPolicy;
}

export type RunResult =
  | { kind: 'done'; output: string }
  | { kind: 'failed'; error: VideoInboxError; setAsideTo?: string }
  | { kind: 'held'; reason: 'credits'; error: VideoInboxError }
  | { kind: 'retry'; delayMs: number; error: VideoInboxError }
  | { kind: 'checkpoint' };

/** An output is at most this much larger than its source plus a fixed allowance, for the space check. */
const SPACE_FACTOR = 1.5;
const SPACE_ALLOWANCE = 64 * 1024 * 1024;

type Ctx = { job: JobRecord; plan: JobPlan; deps: RunJobDeps; log: Logger; signal: AbortSignal };

/**
 * The one path every job takes, whoever runs it (the daemon, `convert`, a future worker): from
 * wherever its record says it is, engine → verify and place (`deliver`) → source action → record →
 * notify; or failed (set aside with its reason), held, or back in the queue, as the policy says.
 */
export async function runJob(
  job: JobRecord,
  plan: JobPlan,
  deps: RunJobDeps,
  signal: AbortSignal,
): Promise<RunResult> {
  const ctx: Ctx = { job, plan, deps, log: deps.log.child({ job: job.id, file: job.sourceName }), signal };
  try {
    const output = await (job.output ? finishSource(ctx, job.output) : convertAndDeliver(ctx));
    await deps.records.update(job.id, {
      state: 'done',
      percent: 100,
      message: output.source ? `Source now at ${output.source}` : 'Source removed',
    });
    deps.notifier.notify(notices.done(job.source, output.output));
    return { kind: 'done', output: output.output };
  } catch (thrown) {
    return settle(ctx, toVideoInboxError(thrown));
  }
}

type Finished = { output: string; source: string | undefined };

async function convertAndDeliver(ctx: Ctx): Promise<Finished> {
  const { job, plan, deps, log } = ctx;
  await checkSource(deps.fs, job.source, plan.inbox);
  await ensureFreeSpace(plan.outbox, job.size * SPACE_FACTOR + SPACE_ALLOWANCE, { fs: deps.fs });
  const temp = outputTempPath(plan.outbox, job.id);
  const result = await runEngine(ctx, temp);
  await deps.records.update(job.id, { state: 'placing', message: 'Checking the output' });
  deps.onProgress?.({ stage: 'placing' });
  const delivered = await finishSource(ctx, undefined, {
    temp,
    expectedDurationSec: result.durationSec ?? (plan.engine === 'local' ? plan.sourceDurationSec : undefined),
  });
  await deps.records.update(job.id, { output: delivered.output, message: result.summary });
  log.info({ output: delivered.output, summary: result.summary }, 'Output placed');
  return delivered;
}

async function runEngine(ctx: Ctx, temp: string): Promise<EngineResult> {
  const { job, plan, deps, signal } = ctx;
  const engine = deps.engines[plan.engine];
  if (!engine) {
    throw new VideoInboxError('INTERNAL', `The ${plan.engine} engine is not available`, {
      hint: plan.engine === 'local' ? 'Install ffmpeg, then run `video-inbox retry --failed`.' : undefined,
    });
  }
  let remote: RemoteIds = { ...job.remote };
  const progress = progressReporter(job.id, {
    records: deps.records,
    clock: deps.clock,
    log: ctx.log,
    intervalMs: deps.progressIntervalMs ?? 1000,
    onProgress: deps.onProgress,
  });
  const request = {
    jobId: job.id,
    input: job.source,
    instructions: plan.instructions,
    skill: plan.skill,
    language: plan.language,
    quality: plan.quality,
    destination: temp,
    resume: remote,
    local: plan.local,
  };
  return engine.run(request, {
    signal,
    progress,
    checkpoint: async (ids) => {
      remote = { ...remote, ...ids };
      await deps.records.update(job.id, { remote });
    },
  });
}

/**
 * Places the new output (`fresh`) or takes the one an earlier run placed (`placed`), then archives,
 * deletes or keeps the source: always through `deliver`, the one code that moves a source.
 */
async function finishSource(
  ctx: Ctx,
  placed: string | undefined,
  fresh?: { temp: string; expectedDurationSec?: number },
): Promise<Finished> {
  const { job, plan, deps, log } = ctx;
  const delivered = await deliver({
    placed,
    temp: fresh?.temp ?? outputTempPath(plan.outbox, job.id),
    expectedDurationSec: fresh?.expectedDurationSec,
    outboxDir: plan.outbox,
    name: plan.outputName,
    ffprobe: deps.ffprobe,
    source: job.source,
    inboxDir: plan.inbox,
    after: plan.after,
    // A source saved over while it converted is new content: it stays for its own job.
    expect: { size: job.size, mtimeMs: job.mtimeMs },
    // Recorded the moment the final name exists, so a crash before the temp is removed can never
    // lead to a second render and a "(1)" copy.
    onPlaced: async (path) => {
      await deps.records.update(job.id, { output: path });
    },
    fs: deps.fs,
  });
  if (delivered.sourceError) {
    log.warn(
      { err: delivered.sourceError.message },
      'Could not archive or delete the source; it was left in place',
    );
  }
  return delivered;
}

/** What a thrown error means for the job, as its policy says, recorded and told. */
async function settle(ctx: Ctx, error: VideoInboxError): Promise<RunResult> {
  const { job, deps, log } = ctx;
  const attempts = job.attempts + 1;
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

async function fail(ctx: Ctx, error: VideoInboxError, attempts: number): Promise<RunResult> {
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
        ...(movedTo ? { output: undefined } : {}),
      });
    },
  );
  return { kind: 'failed', error, setAsideTo };
}
