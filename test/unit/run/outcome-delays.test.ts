import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/core/errors.js';
import { daemonPolicyWith, JOB_RETRY_DELAYS_MS } from '../../../src/run/outcome.js';

describe('daemonPolicyWith (config retrySeconds)', () => {
  const transient = new ApiError('NETWORK', 'x', { retryable: true });
  it.each([
    [30, 1, 30_000],
    [30, 8, 7_200_000],
    [3, 1, 3_000],
    [3, 2, 6_000],
    [3, 8, 720_000],
  ])('retrySeconds %d, attempt %d → %d ms', (seconds, attempt, delayMs) => {
    expect(daemonPolicyWith(seconds).outcome(transient, attempt)).toEqual({ kind: 'retry', delayMs });
  });

  it('gives up after as many retries as the default schedule', () => {
    expect(daemonPolicyWith(3).outcome(transient, JOB_RETRY_DELAYS_MS.length + 1)).toEqual({ kind: 'fail' });
  });
});
