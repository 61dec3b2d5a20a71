import { describe, expect, it } from 'vitest';
import { backoffMs, retryDecision } from '../../../src/engines/nemo/retry-policy.js';
import { newRenderId, pollDelayMs } from '../../../src/engines/nemo/poll-policy.js';
import { DEFAULT_RETRY } from '../../../src/engines/nemo/options.js';
import type { ErrorCode } from '../../../src/core/errors.js';

const settings = { ...DEFAULT_RETRY, maxAttempts: 5, baseMs: 1000, maxMs: 8000, rateLimitMs: 30_000 };
const err = (code: ErrorCode, retryAfterSeconds?: number) => ({ code, retryAfterSeconds });

describe('retryDecision', () => {
  it.each([
    ['TOKEN_INVALID'],
    ['SESSION_NOT_FOUND'],
    ['OUT_OF_CREDITS'],
    ['UNSUPPORTED_FILE'],
    ['FILE_TOO_LARGE'],
    ['EXPORT_BLOCKED'],
    ['MISSING_CLIENT_ID'],
    ['API_ERROR'],
  ] as [ErrorCode][])('never repeats %s here', (code) => {
    expect(retryDecision(err(code), 1, settings, () => 0.5)).toEqual({ retry: false });
  });

  it.each([
    ['Retry-After given', 7, 1, 7000],
    ['no Retry-After: 30 s', undefined, 1, 30_000],
    ['later 429s never wait less than the backoff', 1, 4, 8000],
  ])('429, %s', (_name, retryAfter, attempt, expected) => {
    expect(retryDecision(err('RATE_LIMITED', retryAfter), attempt, settings, () => 1)).toEqual({
      retry: true,
      delayMs: expected,
    });
  });

  it('caps a huge Retry-After', () => {
    expect(retryDecision(err('RATE_LIMITED', 7 * 24 * 3600), 1, settings, () => 0)).toEqual({
      retry: true,
      delayMs: settings.maxRateLimitMs,
    });
  });

  it.each([['SERVER_ERROR'], ['NETWORK']] as [ErrorCode][])(
    'backs off on %s and stops after maxAttempts',
    (code) => {
      const delays = [1, 2, 3, 4].map((a) => retryDecision(err(code), a, settings, () => 1));
      expect(delays).toEqual([
        { retry: true, delayMs: 1000 },
        { retry: true, delayMs: 2000 },
        { retry: true, delayMs: 4000 },
        { retry: true, delayMs: 8000 },
      ]);
      expect(retryDecision(err(code), 5, settings, () => 1)).toEqual({ retry: false });
    },
  );
});

describe('backoffMs', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [3, 0, 2000],
    [3, 1, 4000],
    [10, 0, 4000],
    [10, 1, 8000],
  ])('attempt %i with jitter %f → %i ms', (attempt, r, expected) => {
    expect(backoffMs(attempt, settings, () => r)).toBe(expected);
  });
});

describe('pollDelayMs', () => {
  it('starts fast and backs off to the steady interval', () => {
    const delays = Array.from({ length: 12 }, (_, n) => pollDelayMs(n, 2000, 30_000));
    expect(delays[0]).toBe(2000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    expect(delays.at(-1)).toBe(30_000);
  });

  it('never exceeds a steady interval shorter than the first delay', () => {
    expect(pollDelayMs(0, 2000, 500)).toBe(500);
  });
});

describe('newRenderId', () => {
  it('is render_<ts>_<random> and differs within one millisecond', () => {
    const a = newRenderId(1700000000000, () => 0.1);
    const b = newRenderId(1700000000000, () => 0.2);
    expect(a).toMatch(/^render_1700000000000_[0-9a-z]{8}$/);
    expect(a).not.toBe(b);
  });
});
