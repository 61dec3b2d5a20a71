import { dirname } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import type { RemoteIds } from '../domain/work.js';
import type { EngineResult } from '../engines/engine.js';
import { removeTemp } from '../outbox/place.js';
import { prepareForCloud } from './cloud-intake.js';
import type { JobContext } from './job-context.js';
import { progressReporter } from './progress-reporter.js';

/**
 * Runs the job's engine into `temp`: progress recorded as it goes, remote ids checkpointed before
 * they are trusted, a cloud-intake copy (see `prepareForCloud`) removed afterwards.
 */
export async function runEngine(ctx: JobContext, temp: string): Promise<EngineResult> {
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
    // Only for the source itself: a cloud-intake copy is another file. checkSameContent has just
    // confirmed the source is the content the job took, which is what was probed.
    sourceMedia: prepared ? undefined : deps.probes?.take(job),
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
