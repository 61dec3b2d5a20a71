import { toVideoInboxError } from '../core/errors.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import { notices } from '../notify/messages.js';
import { expectedOutputBytes } from '../outbox/free-space.js';
import { preflightOutbox } from '../outbox/outbox-preflight.js';
import { outputTempPath } from '../outbox/place.js';
import { recoverPlacedOutput, recoverReservedOutput } from '../outbox/placed-output.js';
import { conformRender } from './conform-render.js';
import { finishSource, type Finished } from './finish-source.js';
import { safeId, type JobContext, type RunJobDeps, type RunResult } from './job-context.js';
import { runEngine } from './run-engine.js';
import { runnerFailed, settle } from './settle.js';
import { checkSameContent } from './source-identity-check.js';
import { checkSource } from './source-check.js';

export type { RunJobDeps, RunResult } from './job-context.js';
export { outputContract } from './conform-render.js';
export { UNRECORDED_RETRY_MS } from './settle.js';

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
  const log = deps.log.child({ job: job.id, file: job.sourceName });
  const ctx: JobContext = { job, plan, deps, log, signal };
  try {
    await discardScratch(ctx);
    const placed = job.output ?? (await placedEarlier(ctx));
    const output = await (placed ? finishSource(ctx, placed) : convertAndDeliver(ctx));
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

/**
 * An output an earlier run placed but was killed before recording (its temp is still linked to the
 * final name, or, without hard links, renamed over the name it reserved) is this job's output:
 * recorded now, never converted, rendered or downloaded again. An empty reservation it left goes.
 */
async function placedEarlier(ctx: JobContext): Promise<string | undefined> {
  const { job, plan, deps, log } = ctx;
  const temp = outputTempPath(plan.outbox, job.id);
  const placed =
    (await recoverPlacedOutput(temp, plan.outbox, plan.outputName, deps.fs)) ??
    (job.reservedOutput && (await recoverReservedOutput(temp, job.reservedOutput, deps.fs)));
  if (!placed) return undefined;
  await deps.records.update(job.id, { output: placed });
  log.info({ output: placed }, 'Output placed by an earlier run; recorded');
  return placed;
}

/** What a run of this job killed midway left where its engine writes first goes. */
async function discardScratch(ctx: JobContext): Promise<void> {
  const { job, plan, deps } = ctx;
  const scratch = deps.engines[plan.engine]?.scratchOf?.(outputTempPath(plan.outbox, job.id));
  if (scratch) await deps.fs.unlink(scratch).catch(() => undefined);
}

async function convertAndDeliver(ctx: JobContext): Promise<Finished> {
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
  const delivered = await finishSource(ctx, undefined, {
    temp,
    expectedDurationSec,
    // Only a local remux's streams are known: a cloud render may have been converted since.
    knownStreams: plan.engine === 'local' ? result.streams : undefined,
  });
  await deps.records.update(job.id, { output: delivered.output, message: result.summary });
  log.info({ output: delivered.output, summary: result.summary }, 'Output placed');
  return delivered;
}
