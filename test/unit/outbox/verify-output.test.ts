import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../../src/domain/media.js';
import type { OutputFacts } from '../../../src/engines/local/mp4-contract.js';
import {
  contractProblem,
  durationTolerance,
  outputProblem,
  outsideContract,
  type OutputContract,
} from '../../../src/outbox/verify-output.js';

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

describe('contractProblem', () => {
  const ok: OutputFacts = {
    ...good,
    video: { codec: 'h264', width: 1920, height: 1080, pixFmt: 'yuv420p', profile: 'High' },
    audio: { codec: 'aac' },
    moovFirst: true,
  };
  it.each<[string, Partial<OutputFacts>, OutputContract, RegExp | undefined]>([
    ['a contract MP4', {}, {}, undefined],
    ['a portrait 1080x1920 one', { video: { ...ok.video!, width: 1080, height: 1920 } }, {}, undefined],
    [
      'HEVC from the cloud',
      { video: { ...ok.video!, codec: 'hevc', profile: 'Main' } },
      {},
      /its video is hevc, not H\.264/,
    ],
    [
      'HEVC with keepHevc',
      { video: { ...ok.video!, codec: 'hevc', profile: 'Main' } },
      { keepHevc: true },
      undefined,
    ],
    ['index at the end', { moovFirst: false }, {}, /moov\) comes after the media/],
    [
      '4K and 10-bit',
      { video: { ...ok.video!, width: 3840, height: 2160, pixFmt: 'yuv420p10le', profile: 'High 10' } },
      {},
      /yuv420p10le.*High 10.*3840x2160, larger than 1920x1080/,
    ],
    ['sound lost', { audio: undefined }, { sourceHadAudio: true }, /no sound/],
  ])('%s', (_name, over, contract, problem) => {
    const result = contractProblem({ ...ok, ...over }, contract);
    if (problem) expect(result).toMatch(problem);
    else expect(result).toBeUndefined();
  });

  it('is an OUTPUT_INVALID that is not retried and says the source is untouched', () => {
    const err = outsideContract('/o/x.mp4', 'its video is hevc, not H.264');
    expect(err).toMatchObject({ code: 'OUTPUT_INVALID', retryable: false });
    expect(err.message).toBe(
      'The converted file does not meet the MP4 contract: its video is hevc, not H.264',
    );
    expect(err.hint).toMatch(/source was left untouched/);
  });
});
