import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../../../src/core/secrets.js';
import { shellWord } from '../../../src/core/cli-command.js';
import { errorReportText } from '../../../src/outbox/error-report.js';

afterEach(() => clearSecrets());

describe('errorReportText', () => {
  const base = {
    fileName: 'holiday.avi',
    failedPath: '/in/_failed/holiday.avi',
    code: 'UNSUPPORTED_FILE',
    message: 'NemoVideo does not accept this file type',
  };

  it.each([
    [
      {},
      [
        '"holiday.avi"',
        'What happened:',
        'NemoVideo does not accept this file type',
        'error code: UNSUPPORTED_FILE',
        'What to do:',
        'video-inbox retry /in/_failed/holiday.avi',
      ],
    ],
    [{ hint: 'Convert it to MP4 first.' }, ['  Convert it to MP4 first.']],
    [{}, ['plays in a video player']],
    [{ at: new Date('2026-01-02T03:04:05Z') }, ['at 2026-01-02T03:04:05.000Z']],
    [
      { failedPath: "/in/_failed/Bob's clip (1).avi" },
      [`video-inbox retry '/in/_failed/Bob'\\''s clip (1).avi'`],
    ],
  ])('with %j says %j', (over, expected) => {
    const text = errorReportText({ ...base, ...over });
    for (const part of expected) expect(text).toContain(part);
  });

  it('never carries a token that an error message quoted', () => {
    registerSecret('tok_supersecret_123');
    const text = errorReportText({
      ...base,
      message: 'Request with tok_supersecret_123 failed: Bearer abcdefghijk',
    });
    expect(text).not.toContain('tok_supersecret_123');
    expect(text).not.toContain('abcdefghijk');
  });
});

describe("shellWord (the retry line's path)", () => {
  it.each([
    ['/in/_failed/clip.avi', '/in/_failed/clip.avi'],
    ['/in/my clip.avi', "'/in/my clip.avi'"],
    ["it's.avi", `'it'\\''s.avi'`],
    ['$(rm -rf).avi', "'$(rm -rf).avi'"],
  ])('%s → %s', (input, expected) => {
    expect(shellWord(input)).toBe(expected);
  });
});
