import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import type { RenderInfo } from './envelope.js';
import { protocolError } from './error-map.js';
import { pollDelayMs } from './poll-policy.js';

export interface RenderWaitSettings {
  pollInitialMs: number;
  pollMs: number;
  renderTimeoutMs: number;
}

/**
 * Polls a render until it completes: first after `pollInitialMs`, backing off to `pollMs`.
 * Returns 'unknown' when the server has no such render; throws RENDER_FAILED / RENDER_TIMEOUT.
 */
export async function waitForRender(
  poll: () => Promise<RenderInfo | 'unknown'>,
  renderId: string,
  deps: { clock: Clock; settings: RenderWaitSettings; signal?: AbortSignal },
  onProgress?: (percent: number | undefined) => void,
): Promise<RenderInfo | 'unknown'> {
  const { clock, settings } = deps;
  const deadline = clock.now() + settings.renderTimeoutMs;
  for (let n = 0; ; n++) {
    const info = await poll();
    if (info === 'unknown') return info;
    onProgress?.(info.progress);
    if (info.status === 'completed') {
      if (!info.outputUrl) throw protocolError('render-poll', 'completed without a URL');
      return info;
    }
    if (info.status === 'failed') throw renderFailed(renderId, info);
    const wait = pollDelayMs(n, settings.pollInitialMs, settings.pollMs);
    if (clock.now() + wait > deadline) throw renderTimeout(renderId, settings.renderTimeoutMs);
    await clock.sleep(wait, deps.signal);
  }
}

function renderFailed(renderId: string, info: RenderInfo): ApiError {
  return new ApiError(
    'RENDER_FAILED',
    `NemoVideo could not render the video${info.error ? ` (${info.error.slice(0, 200)})` : ''}`,
    {
      hint: 'The cloud render failed; the job is retried with a new render later.',
      retryable: true,
      context: { renderId },
    },
  );
}

function renderTimeout(renderId: string, renderTimeoutMs: number): ApiError {
  return new ApiError(
    'RENDER_TIMEOUT',
    `The render did not finish within ${Math.round(renderTimeoutMs / 60_000)} minutes`,
    {
      hint: 'NemoVideo is slow right now; the job resumes polling the same render later.',
      retryable: true,
      context: { renderId },
    },
  );
}
