import { ApiError } from '../../core/errors.js';
import type { EngineResult } from '../engine.js';
import { instructStep } from './instruct-step.js';
import { percentReporter, type NemoJob } from './nemo-job.js';
import { renderStep, waitForRender } from './render-step.js';
import { withoutSession } from './session-free.js';

/**
 * The steps of a cloud job, each skipped when its checkpoint says it is done: session → upload →
 * instructions → export render → download.
 */
export async function runSteps(job: NemoJob): Promise<EngineResult> {
  if (!job.ids.sessionId) await startSession(job);
  if (!job.ids.uploaded?.length) await upload(job);
  for (let i = job.ids.instructionsDone ?? 0; i < job.request.instructions.length; i++) {
    await instructStep(job, i);
  }
  let durationSec: number | undefined;
  if (!job.ids.outputUrl) {
    const info = await renderStep(job);
    durationSec = info.durationSec;
    await job.save({ outputUrl: info.outputUrl });
  }
  await downloadWithFreshUrl(job);
  return {
    path: job.request.destination,
    durationSec,
    summary: job.texts.length ? job.texts.join(' ') : undefined,
  };
}

async function startSession(job: NemoJob): Promise<void> {
  job.hooks.progress({ stage: 'uploading', percent: 0, message: 'Starting a NemoVideo session' });
  const session = await job.deps.client.createSession(job.request.language, job.call);
  await job.save({ sessionId: session.sessionId, taskId: session.taskId });
  job.log.info({ sessionId: session.sessionId }, 'NemoVideo session started');
}

async function upload(job: NemoJob): Promise<void> {
  const onProgress = percentReporter((percent) =>
    job.hooks.progress({ stage: 'uploading', percent, message: `Uploading ${percent}%` }),
  );
  const files = await job.deps.stages.run(
    'upload',
    () => job.deps.client.uploadFile(job.sessionId, job.request.input, { ...job.call, onProgress }),
    job.call.signal,
  );
  await job.save({ uploaded: files.map((f) => ({ cdnUrl: f.cdnUrl, filename: f.filename })) });
  job.log.info({ sessionId: job.sessionId, files: files.length }, 'Uploaded to NemoVideo');
}

/** A saved download URL may have expired (signed CDN links): ask the render for a fresh one, once. */
async function downloadWithFreshUrl(job: NemoJob): Promise<void> {
  try {
    await download(job);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'API_ERROR' || !job.ids.renderId) throw err;
    job.log.warn({ code: err.code, status: err.status }, 'Download refused; asking the render for a new URL');
    const info = await waitForRender(job, job.ids.renderId);
    if (info === 'unknown' || info.outputUrl === job.ids.outputUrl) throw err;
    await job.save({ outputUrl: info.outputUrl });
    await download(job);
  }
}

async function download(job: NemoJob): Promise<void> {
  job.hooks.progress({ stage: 'downloading', percent: 0, message: 'Downloading' });
  const report = percentReporter((percent) =>
    job.hooks.progress({ stage: 'downloading', percent, message: `Downloading ${percent}%` }),
  );
  const bytes = await job.deps.stages.run(
    'download',
    // The file is fetched by its URL, without the session: a session error never restarts the job.
    () =>
      withoutSession(job.ids.renderId, () =>
        job.deps.client.download(job.ids.outputUrl as string, job.request.destination, {
          ...job.call,
          onProgress: (received, total) => {
            if (total) report(received, total);
          },
        }),
      ),
    job.call.signal,
  );
  job.log.info({ bytes, renderId: job.ids.renderId }, 'Downloaded the render');
}
