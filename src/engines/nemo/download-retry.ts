import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { downloadTo, type DownloadCall } from './download.js';
import type { NemoHttp } from './http.js';
import type { RetrySettings } from './options.js';
import { retryDecision } from './retry-policy.js';

export interface DownloadRetryCall extends DownloadCall {
  retry: RetrySettings;
  clock: Clock;
  random: () => number;
  log: Logger;
}

/**
 * Downloads to a temp file beside `destination` (verified and renamed in), again with bounded
 * backoff when the body broke off midway or was not an MP4. Transport-level retries happened already
 * for failures before the body.
 */
export async function downloadWithRetries(
  http: NemoHttp,
  url: string,
  destination: string,
  call: DownloadRetryCall,
): Promise<number> {
  const { retry, clock, random, log, ...download } = call;
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadTo(http, url, destination, download);
    } catch (err) {
      if (!(err instanceof ApiError) || !(err.code === 'NETWORK' || err.code === 'DOWNLOAD_INVALID'))
        throw err;
      const decision = retryDecision(
        { code: 'NETWORK', retryAfterSeconds: undefined },
        attempt,
        retry,
        random,
      );
      if (!decision.retry) throw err;
      log.warn({ code: err.code, attempt, delayMs: decision.delayMs }, 'Download failed; retrying');
      await clock.sleep(decision.delayMs, call.signal);
    }
  }
}
