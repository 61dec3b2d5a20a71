import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../../src/domain/media.js';
import { durationTolerance, outputProblem } from '../../../src/outbox/verify-output.js';

const good: MediaInfo = {
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 10,
  sizeBytes: 1000,
  video: { codec: 'h264', width: 320, height: 240 },
};

describe('outputProblem', () => {
  it.each<[string, Partial<MediaInfo>, number | undefined, RegExp | undefined]>([
    ['a good MP4', {}, undefined, undefined],
    ['a good MP4 of the expected duration', {}, 10, undefined],
    ['within 1 s on a short clip', { durationSec: 2.9 }, 2, undefined],
    ['within 5 % on a long clip', { durationSec: 628 }, 600, undefined],
    ['too short', { durationSec: 5 }, 10, /lasts 5\.0 s.*10\.0 s/],
    ['too long for a long clip', { durationSec: 640 }, 600, /lasts/],
    ['an empty file', { sizeBytes: 0 }, undefined, /empty/],
    ['matroska', { formatName: 'matroska,webm' }, undefined, /not an MP4.*matroska/],
    ['audio only', { video: undefined }, undefined, /no video/],
    ['no duration when one is expected', { durationSec: undefined }, 10, /duration/],
  ])('%s', (_name, over, expected, problem) => {
    const result = outputProblem({ ...good, ...over }, expected);
    if (problem) expect(result).toMatch(problem);
    else expect(result).toBeUndefined();
  });
});

describe('durationTolerance', () => {
  it.each([
    [0, 1],
    [10, 1],
    [20, 1],
    [100, 5],
    [3600, 180],
  ])('%i s → %i s', (expected, tolerance) => {
    expect(durationTolerance(expected)).toBe(tolerance);
  });
});
