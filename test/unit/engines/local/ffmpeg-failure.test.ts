import { describe, expect, it } from 'vitest';
import { FfmpegError } from '../../../../src/core/errors.js';
import { explainFfmpegFailure } from '../../../../src/engines/local/ffmpeg-failure.js';

describe('explainFfmpegFailure', () => {
  it.each([
    [
      'corrupt input',
      'file:/in/broken.avi: Invalid data found when processing input',
      'FFMPEG_FAILED',
      false,
      /damaged/,
      'ffmpeg exited with code 1: file:/in/broken.avi: Invalid data found when processing input',
    ],
    [
      'missing index',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\nfile:/in/x.mp4: Invalid data found when processing input',
      'FFMPEG_FAILED',
      false,
      /damaged/,
      'ffmpeg exited with code 1: file:/in/x.mp4: Invalid data found when processing input',
    ],
    [
      'full disk',
      'av_interleaved_write_frame(): No space left on device\nError writing trailer: No space left on device\nConversion failed!',
      'DISK_FULL',
      true,
      /Free some space/,
      'ffmpeg exited with code 1: Error writing trailer: No space left on device',
    ],
    [
      'permissions',
      'file:/out/.x.part: Permission denied',
      'FFMPEG_FAILED',
      false,
      /permissions/,
      'ffmpeg exited with code 1: file:/out/.x.part: Permission denied',
    ],
    [
      'no libx264',
      "Unknown encoder 'libx264'",
      'FFMPEG_FAILED',
      false,
      /libx264/,
      "ffmpeg exited with code 1: Unknown encoder 'libx264'",
    ],
    [
      'something else',
      'Something odd\nConversion failed!',
      'FFMPEG_FAILED',
      false,
      /last lines/,
      'ffmpeg exited with code 1: Something odd',
    ],
    ['silence', '', 'FFMPEG_FAILED', false, /last lines/, 'ffmpeg exited with code 1'],
  ])('%s', (_name, stderrTail, code, retryable, hint, message) => {
    const err = explainFfmpegFailure({ exitCode: 1, signal: null, stderrTail });
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ code, retryable, message, exitCode: 1, stderrTail });
    expect(err.hint).toMatch(hint);
  });

  it('treats a kill from outside as worth retrying', () => {
    const err = explainFfmpegFailure({ exitCode: null, signal: 'SIGKILL', stderrTail: '' });
    expect(err).toMatchObject({
      code: 'FFMPEG_FAILED',
      retryable: true,
      message: 'ffmpeg was stopped by SIGKILL',
    });
    expect(err.hint).toMatch(/memory/);
  });
});
