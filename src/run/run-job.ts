import { dirname, extname, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { Progress, RemoteIds } from '../domain/work.js';
import type { Engine, EngineResult } from '../engines/engine.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { deliver } from '../outbox/deliver.js';
import { failSource, jobError } from '../outbox/fail-source.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import { expectedOutputBytes } from '../outbox/free-space.js';
import { preflightOutbox } from '../outbox/outbox-preflight.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import { outputTempPath, removeTemp } from '../outbox/place.js';
import { conformOutput, type OutputContract } from '../outbox/verify-output.js';
import type { JobRecords } from './job-records.js';
import { daemonPolicy, type JobPolicy } from './outcome.js';
import { progressReporter } from './progress-reporter.js';
import { checkIdentity } from '../outbox/source-identity.js';
import { checkSource } from './source-check.js';

export interface RunJobDeps {
  /** Where progress, checkpoints and the outcome are recorded (the journal, memory, a queue). */
  records: JobRecords;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  fs: OutboxFs;
  /** The content hash (sha256, as intake computes it), to tell a source's identity when in doubt. */
  hashFile: (path: string) => Promise<string>;
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
  /** Says once per path that a `_done`/`_failed` is blocked by a file (the daemon's; none for `convert`). */
  blockedFolders?: BlockedFolderReporter;
  /** The daemon's config when not the default, named in the commands it prints (see failSource). */
  printedConfig?: string;
}

export type RunResult =
  | { kind: 'done'; output: string }
  | { kind: 'failed'; error: VideoInboxError; setAsideTo?: string }
  | { kind: 'held'; reason: 'credits'; error: VideoInboxError }
  | { kind: 'retry'; delayMs: number; error: VideoInboxError }
  | { kind: 'checkpoint' };

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
    const error = toVideoInboxError(thrown);
    return settle(ctx, error).catch((err: unknown) => runnerFailed(ctx, error, err));
  }
}

/** How soon a job whose outcome could not be recorded is tried again (its state dir may be full). */
export const UNRECORDED_RETRY_MS = 10_000;

/**
 * The outcome itself could not be recorded (the state dir is full, say): the job must not be
 * stranded until a restart. Its temp output goes, and it runs again soon, from its last recorded
 * state (a cloud job from its checkpoints), so it moves on by itself once there is room.
 */
async function runnerFailed(ctx: Ctx, error: VideoInboxError, err: unknown): Promise<RunResult> {
  const { job, plan, deps, log } = ctx;
  await deps.fs.unlink(outputTempPath(plan.outbox, job.id)).catch(() => undefined);
  const cause = toVideoInboxError(err);
  log.error(
    { code: error.code, recordCode: cause.code, err: cause.message, inMs: UNRECORDED_RETRY_MS },
    'Could not record the job outcome; it is tried again',
  );
  return { kind: 'retry', delayMs: UNRECORDED_RETRY_MS, error };
}

type Finished = { output: string; source: string | undefined };

async function convertAndDeliver(ctx: Ctx): Promise<Finished> {
  const { job, plan, deps, log } = ctx;
  await checkSource(deps.fs, job.source, plan.inbox);
  await checkSameContent(ctx);
  // Before anything is paid for or converted: the output can be saved.
  await preflightOutbox(plan.outbox, expectedOutputBytes(job.size), {
    fs: deps.fs,
    probeName: `.video-inbox-${safeId(job.id)}.write-check`,
  });
  const temp = outputTempPath(plan.outbox, job.id);
  const result = await runEngine(ctx, temp).catch(async (err: unknown) => {
    // A source deleted before the engine read it is SOURCE_GONE, not an engine failure.
    await checkSource(deps.fs, job.source, plan.inbox);
    throw err;
  });
  await deps.records.update(job.id, { state: 'placing', message: 'Checking the output' });
  deps.onProgress?.({ stage: 'placing' });
  const expectedDurationSec =
    result.durationSec ?? (plan.engine === 'local' ? plan.sourceDurationSec : undefined);
  if (plan.engine !== 'local') await conformRender(ctx, temp, expectedDurationSec);
  const delivered = await finishSource(ctx, undefined, { temp, expectedDurationSec });
  await deps.records.update(job.id, { output: delivered.output, message: result.summary });
  log.info({ output: delivered.output, summary: result.summary }, 'Output placed');
  return delivered;
}

/**
 * A (re)run converts only the content the job took: other content copied or renamed over the name
 * meanwhile (say while a retry waited) is SOURCE_CHANGED, and gets its own job (see `settle`).
 */
async function checkSameContent(ctx: Ctx): Promise<void> {
  const { job, deps } = ctx;
  const identity = await checkIdentity(
    { stat: (p) => deps.fs.stat(p), hashFile: deps.hashFile },
    job.source,
    sourceIdentity(job),
  );
  if (identity !== 'changed') return;
  throw new VideoInboxError(
    'SOURCE_CHANGED',
    'Other content was put under the name before it was converted',
    {
      hint: 'Nothing to do: the new content is taken as a new job. Put the earlier video back to convert it too.',
    },
  );
}

function sourceIdentity(job: JobRecord) {
  const { size, mtimeMs, dev, ino, ctimeMs, contentHash } = job;
  return { size, mtimeMs, dev, ino, ctimeMs, contentHash };
}

/**
 * What every output of this job must meet: the MP4 contract, with the rule's `keepHevc` and (for
 * local conversions, which it sizes) `height`, and AAC sound when the source had sound.
 */
export function outputContract(plan: JobPlan): OutputContract {
  return {
    keepHevc: plan.local?.keepHevc,
    height: plan.engine === 'local' ? plan.local?.height : undefined,
    sourceHadAudio: plan.sourceHadAudio,
  };
}

/**
 * A cloud render outside the contract (HEVC, 10-bit, HDR, oversized, index at the end) is converted
 * here by the local engine before it is placed; without ffmpeg the job fails saying so, and the
 * unusable render is removed. Nobody receives a file outside the contract.
 */
async function conformRender(ctx: Ctx, temp: string, expectedDurationSec: number | undefined): Promise<void> {
  const { plan, deps, log, signal } = ctx;
  try {
    const { fixed } = await conformOutput(temp, {
      engine: deps.engines.local,
      fs: deps.fs,
      log,
      ffprobe: deps.ffprobe,
      signal,
      expectedDurationSec,
      contract: outputContract(plan),
    });
    if (fixed) log.info({ fixed }, 'Cloud render brought into the MP4 contract locally');
  } catch (err) {
    const error = toVideoInboxError(err);
    if (error.code === 'OUTPUT_INVALID') await removeTemp(deps.fs, temp);
    throw error;
  }
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
  const prepared = await prepareForCloud(ctx);
  const request = {
    jobId: job.id,
    input: prepared ?? job.source,
    instructions: plan.instructions,
    skill: plan.skill,
    language: plan.language,
    quality: plan.quality,
    destination: temp,
    resume: remote,
    local: plan.local,
  };
  try {
    return await engine.run(request, {
      signal,
      progress,
      checkpoint: async (ids) => {
        remote = { ...remote, ...ids };
        await deps.records.update(job.id, { remote });
      },
    });
  } finally {
    if (prepared) {
      await removeTemp(deps.fs, prepared);
      await deps.fs.rmdir(dirname(prepared)).catch(() => undefined);
    }
  }
}

/**
 * A source in a container the cloud refuses (.vob, .mts, .wmv…) under a rule that needs the cloud:
 * the local engine first brings it into a contract MP4 (streams copied where they fit, else
 * converted), and that file is uploaded. Never a plain local conversion in place of the edit asked
 * for; without ffmpeg the job fails saying so. Undefined when the source goes up as it is (or was
 * already uploaded before a restart).
 */
async function prepareForCloud(ctx: Ctx): Promise<string | undefined> {
  const { job, plan, deps, log, signal } = ctx;
  if (plan.engine !== 'nemo' || !plan.cloudIntake || (job.remote.uploaded?.length ?? 0) > 0) return undefined;
  const local = deps.engines.local;
  if (!local) {
    throw new VideoInboxError(
      'FFMPEG_MISSING',
      `${job.sourceName} is in a format the cloud does not accept, and ffmpeg (needed to convert it into one it does) is not installed`,
      {
        hint: 'Install ffmpeg (or set ffmpegPath in the config), restart the daemon, then retry the file.',
        retryable: false,
      },
    );
  }
  // In a hidden folder of its own, so the upload carries the source's own name (home.vob → home.mp4).
  const folder = cloudIntakeFolder(plan.outbox, job.id);
  await deps.fs.mkdir(folder);
  const destination = join(folder, `${stemOf(job.sourceName)}.mp4`);
  const result = await local
    .run(
      {
        jobId: job.id,
        input: job.source,
        instructions: [],
        skill: 'local',
        language: plan.language,
        quality: plan.quality,
        destination,
      },
      { signal, progress: () => {}, checkpoint: async () => {} },
    )
    .catch(async (err: unknown) => {
      await deps.fs.rmdir(folder).catch(() => undefined);
      throw err;
    });
  log.info({ summary: result.summary }, 'Brought into a format the cloud accepts; uploading that');
  return destination;
}

function cloudIntakeFolder(outbox: string, jobId: string): string {
  return join(outbox, `.video-inbox-${safeId(jobId)}.cloud-intake`);
}

function stemOf(name: string): string {
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
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
    contract: outputContract(plan),
    source: job.source,
    inboxDir: plan.inbox,
    after: plan.after,
    // A source saved over while it converted is new content: it stays for its own job.
    expect: sourceIdentity(job),
    hashFile: deps.hashFile,
    // Recorded the moment the final name exists, so a crash before the temp is removed can never
    // lead to a second render and a "(1)" copy.
    onPlaced: async (path) => {
      await deps.records.update(job.id, { output: path });
    },
    fs: deps.fs,
  });
  if (delivered.sourceError) {
    deps.blockedFolders?.report(delivered.sourceError);
    log.warn(
      { err: delivered.sourceError.message, code: delivered.sourceError.code },
      'Could not archive or delete the source; it was left in place',
    );
  }
  return delivered;
}

/** What a thrown error means for the job, as its policy says, recorded and told. */
async function settle(ctx: Ctx, error: VideoInboxError): Promise<RunResult> {
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
 * The content this job took is no longer there under its name: the job ends (its record keeps the
 * hash of what it took, never converted, so a later copy of that content is new work) and the file
 * now there is offered to intake again, as a new job.
 */
async function replaced(ctx: Ctx, error: VideoInboxError): Promise<RunResult> {
  const { job, deps, log } = ctx;
  log.warn(
    { code: error.code },
    'The file was replaced before it was converted; the new content is a new job',
  );
  await deps.records.update(job.id, { state: 'failed', error: jobError(error), message: error.message });
  return { kind: 'failed', error };
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
