import { describe, expect, it } from 'vitest';
import { conditionsHold } from '../../../src/rules/conditions.js';
import { fileFacts, type JobFile } from '../../../src/rules/file-facts.js';
import type { Conditions } from '../../../src/rules/rule.js';
import type { MediaInfo } from '../../../src/domain/media.js';

const MB = 1024 * 1024;

function media(
  over: Partial<MediaInfo['video']> & { duration?: number; audio?: string | null } = {},
): MediaInfo {
  const { duration = 60, audio = 'aac', ...video } = over;
  return {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSec: duration,
    sizeBytes: 10 * MB,
    video: { codec: 'h264', width: 1920, height: 1080, ...video },
    audio: audio === null ? undefined : { codec: audio },
  };
}

const probed: JobFile = { path: '/in/Clip.MOV', sizeBytes: 10 * MB, media: media() };
const unprobed: JobFile = { path: '/in/clip.avi', sizeBytes: 10 * MB };

describe('conditionsHold', () => {
  it.each<[string, Conditions, JobFile, boolean]>([
    ['codec in list', { codec: ['h264', 'hevc'] }, probed, true],
    ['codec not in list', { codec: ['mpeg4'] }, probed, false],
    [
      'codec compared in lower case',
      { codec: ['h264'] },
      { ...probed, media: media({ codec: 'H264' }) },
      true,
    ],
    ['audio codec', { audioCodec: ['aac'] }, probed, true],
    [
      'no audio reads as "none"',
      { audioCodec: ['aac', 'none'] },
      { ...probed, media: media({ audio: null }) },
      true,
    ],
    [
      'wrong audio codec',
      { audioCodec: ['aac'] },
      { ...probed, media: media({ audio: 'pcm_s16le' }) },
      false,
    ],
    ['minHeight inclusive', { minHeight: 1080 }, probed, true],
    ['minHeight above', { minHeight: 1081 }, probed, false],
    ['maxHeight inclusive', { maxHeight: 1080 }, probed, true],
    ['maxHeight below', { maxHeight: 720 }, probed, false],
    ['width range', { minWidth: 1000, maxWidth: 2000 }, probed, true],
    [
      'rotated phone video: displayed height',
      { minHeight: 1920 },
      { ...probed, media: media({ rotation: -90 }) },
      true,
    ],
    [
      'rotated phone video: displayed width',
      { maxWidth: 1080 },
      { ...probed, media: media({ rotation: 90 }) },
      true,
    ],
    ['half turn keeps sides', { minHeight: 1920 }, { ...probed, media: media({ rotation: 180 }) }, false],
    ['duration range', { minDuration: 30, maxDuration: 60 }, probed, true],
    ['duration too long', { maxDuration: 59.9 }, probed, false],
    ['size in MB', { minSizeMB: 10, maxSizeMB: 10 }, probed, true],
    ['size too small', { minSizeMB: 10.1 }, probed, false],
    ['size needs no probe', { maxSizeMB: 20 }, unprobed, true],
    ['name glob', { match: ['*.mov'] }, probed, true],
    ['name glob miss', { match: ['*.avi'] }, probed, false],
    ['all must hold', { codec: ['h264'], maxHeight: 720 }, probed, false],
    ['codec unknown without probe', { codec: ['h264'] }, unprobed, false],
    ['height unknown without probe', { maxHeight: 1080 }, unprobed, false],
    ['duration unknown without probe', { maxDuration: 1000 }, unprobed, false],
    ['audio unknown without probe', { audioCodec: ['none'] }, unprobed, false],
    ['empty conditions hold', {}, unprobed, true],
  ])('%s', (_label, conditions, file, expected) => {
    expect(conditionsHold(conditions, fileFacts(file))).toBe(expected);
  });
});
