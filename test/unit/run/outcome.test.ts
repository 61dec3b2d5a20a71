import { describe, expect, it } from 'vitest';
import { decideOutcome, JOB_RETRY_DELAYS_MS } from '../../../src/run/outcome.js';
import { toVideoInboxError, type ErrorCode } from '../../../src/core/errors.js';

describe('decideOutcome', () => {
  it.each<[ErrorCode, number, string]>([
    ['CANCELLED', 1, 'checkpoint'],
    ['OUT_OF_CREDITS', 1, 'hold'],
    ['NETWORK', 1, 'retry'],
    ['SERVER_ERROR', 3, 'retry'],
    ['DISK_FULL', 1, 'retry'],
    ['UNSUPPORTED_FILE', 1, 'fail'],
    ['FILE_TOO_LARGE', 1, 'fail'],
    ['EXPORT_BLOCKED', 1, 'fail'],
    ['FFMPEG_FAILED', 1, 'fail'],
    ['OUTPUT_INVALID', 1, 'fail'],
    ['NOT_A_VIDEO', 1, 'fail'],
    ['DRAFT_NOT_EXPORTABLE', 1, 'fail'],
    ['NAME_INVALID', 1, 'fail'],
  ])('%s on attempt %i → %s', (code, attempts, kind) => {
    expect(decideOutcome({ code, retryable: false }, attempts).kind).toBe(kind);
  });

  it('backs off longer with each attempt, then gives up', () => {
    const delays = JOB_RETRY_DELAYS_MS.map((_, i) =>
      decideOutcome({ code: 'NETWORK', retryable: true }, i + 1),
    );
    const ms = delays.map((d) => (d.kind === 'retry' ? d.delayMs : -1));
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    expect(ms.every((d) => d > 0)).toBe(true);
    expect(decideOutcome({ code: 'NETWORK', retryable: true }, JOB_RETRY_DELAYS_MS.length + 1).kind).toBe(
      'fail',
    );
  });

  it('retries any error its thrower marked retryable', () => {
    expect(decideOutcome({ code: 'FFMPEG_FAILED', retryable: true }, 1).kind).toBe('retry');
  });

  it.each(['ENAMETOOLONG', 'EILSEQ'])(
    'a name the file system refuses (%s) is final, never retried',
    (code) => {
      const err = toVideoInboxError(Object.assign(new Error(code), { code, path: '/in/x.mp4' }));
      expect(err.code).toBe('NAME_INVALID');
      expect(decideOutcome(err, 1).kind).toBe('fail');
    },
  );
});
