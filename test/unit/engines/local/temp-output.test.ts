import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempPathBeside } from '../../../../src/engines/local/temp-output.js';

describe('tempPathBeside', () => {
  it.each([
    '/out/.video-inbox-job-1.partial.mp4',
    '/out/holiday.mp4',
    `/out/${'é'.repeat(120)}.mp4`,
    '/out/-y $(rm) "x".mp4',
  ])('%s: hidden, beside it, not an MP4 name, same for the same destination', (destination) => {
    const temp = tempPathBeside(destination);
    expect(dirname(temp)).toBe(dirname(destination));
    expect(basename(temp)).toMatch(/^\.video-inbox-[0-9a-f]{16}\.ffmpeg\.part$/);
    expect(tempPathBeside(destination)).toBe(temp);
    expect(temp).not.toBe(destination);
  });

  it('differs between destinations', () => {
    expect(tempPathBeside('/out/a.mp4')).not.toBe(tempPathBeside('/out/b.mp4'));
  });
});
