import { ApiError } from '../../core/errors.js';
import { isExportable } from './draft.js';
import { draftNotExportable, type FinishedRender, type NemoJob } from './nemo-job.js';
import { newRenderId } from './poll-policy.js';
import { withoutSession } from './session-free.js';

/**
 * Renders the draft for export, exactly once: a render id of ours is polled (posting again would
 * start, and maybe bill, a second render); an unknown one is requested again under the same id.
 */
export async function renderStep(job: NemoJob): Promise<FinishedRender> {
  job.hooks.progress({ stage: 'rendering', percent: 0, message: 'Rendering' });
  const existing = job.ids.renderId;
  if (existing) {
    try {
      const info = await waitForRender(job, existing);
      if (info !== 'unknown') return info;
      job.log.info(
        { renderId: existing },
        'NemoVideo does not know the render; requesting it under the same id',
      );
      return await postRender(job, existing, true);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'RENDER_FAILED' || !job.resumed) throw err;
      job.log.warn({ renderId: existing }, 'The earlier render failed; requesting a new one');
    }
  }
  return postRender(job, newRenderId(job.deps.clock.now(), job.deps.random), true);
}

async function postRender(job: NemoJob, renderId: string, mayRetryId: boolean): Promise<FinishedRender> {
  const { client, clock, random } = job.deps;
  const state = await client.state(job.sessionId, job.call);
  if (!state.draft || !isExportable(state.draft)) throw draftNotExportable();
  await job.save({ renderId, renderAccepted: false });
  const started = await client.startRender(
    { renderId, sessionId: job.sessionId, draft: state.draft, quality: job.request.quality },
    job.call,
  );
  if (started === 'duplicate') {
    // Most likely our own request, accepted just before the connection broke: follow it.
    const info = await waitForRender(job, renderId);
    if (info !== 'unknown') return info;
    if (!mayRetryId)
      throw new ApiError('PROTOCOL', 'NemoVideo refused the render id and does not know it', {
        retryable: true,
      });
    job.log.warn({ renderId }, 'Render id refused as a duplicate; choosing a new one');
    return postRender(job, newRenderId(clock.now(), random), false);
  }
  await job.save({ renderAccepted: true });
  job.log.info({ sessionId: job.sessionId, renderId }, 'Render started');
  const info = await waitForRender(job, renderId);
  if (info === 'unknown')
    throw new ApiError('PROTOCOL', 'NemoVideo lost a render it had accepted', { retryable: true });
  return info;
}

/**
 * Polls a render to its end; `unknown` when NemoVideo has never heard of the id. A render is polled
 * by its id, without the session: a session error here never restarts the job.
 */
export async function waitForRender(job: NemoJob, renderId: string): Promise<FinishedRender | 'unknown'> {
  const info = await job.deps.stages.run(
    'poll',
    () =>
      withoutSession(renderId, () =>
        job.deps.client.waitForRender(renderId, {
          ...job.call,
          onProgress: (percent) =>
            job.hooks.progress({
              stage: 'rendering',
              percent,
              message: percent === undefined ? 'Rendering' : `Rendering ${Math.round(percent)}%`,
            }),
        }),
      ),
    job.call.signal,
  );
  return info as FinishedRender | 'unknown';
}
