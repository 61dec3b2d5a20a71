import type { ApiError } from '../../core/errors.js';
import type { RetrySettings } from './options.js';

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/**
 * Whether and when to repeat a request that failed with `error` on attempt number `attempt`
 * (1 = the first try). 429 waits Retry-After (else `rateLimitMs`), and later 429s never wait less
 * than the backoff; 5xx, resets and timeouts back off exponentially with jitter; all else is final.
 */
export function retryDecision(
  error: Pick<ApiError, 'code' | 'retryAfterSeconds'>,
  attempt: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): RetryDecision {
  if (attempt >= settings.maxAttempts) return { retry: false };
  const backoff = backoffMs(attempt, settings, random);
  if (error.code === 'RATE_LIMITED') {
    const asked =
      error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : settings.rateLimitMs;
    const wait = Math.min(settings.maxRateLimitMs, asked);
    return { retry: true, delayMs: attempt === 1 ? wait : Math.max(wait, backoff) };
  }
  if (error.code === 'SERVER_ERROR' || error.code === 'NETWORK') return { retry: true, delayMs: backoff };
  return { retry: false };
}

/** Exponential backoff with "equal jitter": between half and all of base·2^(attempt-1), capped. */
export function backoffMs(
  attempt: number,
  settings: Pick<RetrySettings, 'baseMs' | 'maxMs'>,
  random = Math.random,
): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
