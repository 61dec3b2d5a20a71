import { extname, join } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import { safeId, type JobContext } from './job-context.js';

/**
 * A source in a container the cloud refuses (.vob, .mts, .wmv…) under a rule that needs the cloud:
 * the local engine first brings it into a contract MP4 (streams copied where they fit, else
 * converted), and that file is uploaded. Never a plain local conversion in place of the edit asked
 * for; without ffmpeg the job fails saying so. Undefined when the source goes up as it is (or was
 * already uploaded before a restart).
 */
export async function prepareForCloud(ctx: JobContext): Promise<string | undefined> {
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
