import { describe, expect, it } from 'vitest';
import {
  contractBox,
  contractViolations,
  displayedSize,
  fitIntoBox,
  fitsBox,
  type OutputFacts,
  type VideoFacts,
} from '../../../../src/engines/local/mp4-contract.js';

const video = (over: Partial<VideoFacts> = {}): VideoFacts => ({
  codec: 'h264',
  width: 1920,
  height: 1080,
  pixFmt: 'yuv420p',
  profile: 'High',
  ...over,
});

const facts = (over: Partial<OutputFacts> = {}): OutputFacts => ({
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 10,
  sizeBytes: 1000,
  video: video(),
  audio: { codec: 'aac', channels: 2 },
  moovFirst: true,
  ...over,
});

describe('the box', () => {
  it('is 1920x1080 by default, 16:9 of the short side otherwise', () => {
    expect(contractBox()).toEqual({ long: 1920, short: 1080 });
    expect(contractBox(720)).toEqual({ long: 1280, short: 720 });
    expect(contractBox(480)).toEqual({ long: 854, short: 480 });
  });

  it.each<[string, Partial<VideoFacts>, { width: number; height: number }]>([
    ['square pixels', {}, { width: 1920, height: 1080 }],
    ['8:9 pixels', { width: 720, height: 480, sampleAspect: 8 / 9 }, { width: 640, height: 480 }],
    ['a quarter turn', { rotation: -90 }, { width: 1080, height: 1920 }],
    ['a half turn', { rotation: 180 }, { width: 1920, height: 1080 }],
  ])('displayed size with %s', (_n, over, size) => {
    expect(displayedSize(video(over))).toEqual(size);
  });

  it.each<[string, [number, number], boolean, [number, number], boolean]>([
    ['1920x1080', [1920, 1080], false, [1920, 1080], true],
    ['1080x1920 portrait', [1080, 1920], false, [1080, 1920], true],
    ['3840x2160', [3840, 2160], false, [1920, 1080], false],
    ['2160x3840', [2160, 3840], false, [1080, 1920], false],
    ['2560x1080 ultrawide', [2560, 1080], false, [1920, 810], false],
    ['1440x1080 4:3', [1440, 1080], false, [1440, 1080], true],
    ['1080x1350 (4:5 portrait)', [1080, 1350], false, [1080, 1350], true],
    ['1920x1440 4:3 too tall', [1920, 1440], false, [1440, 1080], false],
    ['321x241 odd', [321, 241], false, [320, 240], true],
    ['320x240 upscaled', [320, 240], true, [1440, 1080], true],
    ['360x640 upscaled portrait', [360, 640], true, [1080, 1920], true],
  ])('%s → fitted, in the box as is: %s', (_n, [width, height], upscale, [w, h], fits) => {
    expect(fitIntoBox({ width, height }, contractBox(), upscale)).toEqual({ width: w, height: h });
    expect(fitsBox({ width, height }, contractBox())).toBe(fits);
  });
});

describe('contractViolations', () => {
  it.each<[string, Partial<OutputFacts>, object, string[]]>([
    ['an H.264 High yuv420p AAC faststart 1080p MP4', {}, {}, []],
    ['without sound from a silent source', { audio: undefined }, { sourceHadAudio: false }, []],
    ['atom order not read', { moovFirst: undefined }, {}, []],
    ['matroska', { formatName: 'matroska,webm' }, {}, ['container']],
    ['HEVC', { video: video({ codec: 'hevc', profile: 'Main' }) }, {}, ['codec']],
    ['HEVC with keepHevc', { video: video({ codec: 'hevc', profile: 'Main' }) }, { keepHevc: true }, []],
    [
      'HEVC Main 10 HDR with keepHevc',
      {
        video: video({
          codec: 'hevc',
          profile: 'Main 10',
          pixFmt: 'yuv420p10le',
          colorTransfer: 'smpte2084',
        }),
      },
      { keepHevc: true },
      [],
    ],
    [
      '10-bit H.264',
      { video: video({ pixFmt: 'yuv420p10le', profile: 'High 10' }) },
      {},
      ['pixfmt', 'profile'],
    ],
    [
      '4:4:4 Predictive',
      { video: video({ pixFmt: 'yuv444p', profile: 'High 4:4:4 Predictive' }) },
      {},
      ['pixfmt', 'profile'],
    ],
    ['PQ-tagged H.264', { video: video({ colorTransfer: 'smpte2084' }) }, {}, ['hdr']],
    ['4K', { video: video({ width: 3840, height: 2160 }) }, {}, ['size']],
    ['1080p in a 720 box', {}, { height: 720 }, ['size']],
    ['MP3 sound', { audio: { codec: 'mp3' } }, {}, ['audio']],
    ['sound lost', { audio: undefined }, { sourceHadAudio: true }, ['audio']],
    ['index at the end', { moovFirst: false }, {}, ['faststart']],
    ['no video', { video: undefined }, {}, ['video']],
  ])('%s → %j', (_n, over, options, checks) => {
    expect(contractViolations(facts(over), options).map((v) => v.check)).toEqual(checks);
  });
});
