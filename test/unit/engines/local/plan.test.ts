import { describe, expect, it } from 'vitest';
import type { LocalOptions } from '../../../../src/domain/work.js';
import type { MediaInfo } from '../../../../src/domain/media.js';
import { aacBitrateK, planConversion } from '../../../../src/engines/local/plan.js';

function media(
  video: Partial<NonNullable<MediaInfo['video']>> | undefined,
  audio?: NonNullable<MediaInfo['audio']>,
): MediaInfo {
  return {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSec: 10,
    sizeBytes: 1000,
    video: video && { codec: 'h264', width: 1920, height: 1080, pixFmt: 'yuv420p', ...video },
    audio,
  };
}

const aac = { codec: 'aac', channels: 2 };

describe('planConversion: remux or transcode', () => {
  it.each<[string, MediaInfo, LocalOptions, 'remux' | 'transcode']>([
    ['H.264 + AAC at 1080', media({}, aac), {}, 'remux'],
    ['H.264 without audio', media({}), {}, 'remux'],
    ['H.264 full-range 4:2:0', media({ pixFmt: 'yuvj420p' }, aac), {}, 'remux'],
    ['H.264 with odd sizes', media({ width: 321, height: 241 }, aac), {}, 'remux'],
    ['H.264 without a known pixel format', media({ pixFmt: undefined }, aac), {}, 'remux'],
    ['HEVC + AAC', media({ codec: 'hevc' }, aac), {}, 'remux'],
    ['HEVC 10-bit', media({ codec: 'hevc', pixFmt: 'yuv420p10le' }), {}, 'remux'],
    [
      'H.264 rotated, 1080 tall as shown',
      media({ width: 1080, height: 608, rotation: 90 }, aac),
      {},
      'remux',
    ],
    ['small H.264 with upscale off', media({ width: 320, height: 240 }, aac), {}, 'remux'],
    ['H.264 exactly at the upscale target', media({}, aac), { upscale: true }, 'remux'],
    ['MPEG-4 Part 2', media({ codec: 'mpeg4' }, { codec: 'mp3' }), {}, 'transcode'],
    ['MJPEG', media({ codec: 'mjpeg', pixFmt: 'yuvj422p' }, { codec: 'pcm_s16le' }), {}, 'transcode'],
    ['VP8 + Vorbis', media({ codec: 'vp8' }, { codec: 'vorbis' }), {}, 'transcode'],
    ['H.264 4:2:2', media({ pixFmt: 'yuv422p' }, aac), {}, 'transcode'],
    ['H.264 10-bit', media({ pixFmt: 'yuv420p10le' }, aac), {}, 'transcode'],
    ['H.264 taller than the target', media({ width: 1920, height: 1440 }, aac), {}, 'transcode'],
    ['H.264 at 1080 with a 720 target', media({}, aac), { height: 720 }, 'transcode'],
    ['H.264 rotated, 1920 tall as shown', media({ rotation: -90 }, aac), {}, 'transcode'],
    ['small H.264 with upscale on', media({ width: 320, height: 240 }, aac), { upscale: true }, 'transcode'],
    ['H.264 with forceTranscode', media({}, aac), { forceTranscode: true }, 'transcode'],
  ])('%s → %s', (_name, info, options, mode) => {
    const plan = planConversion(info, options);
    expect(plan.mode).toBe(mode);
    expect(plan.reason.length).toBeGreaterThan(0);
  });

  it.each([
    ['H.264 + Opus', media({}, { codec: 'opus', channels: 2 }), 192],
    ['H.264 + MP3', media({}, { codec: 'mp3', channels: 2 }), 192],
    ['HEVC + 5.1 PCM', media({ codec: 'hevc' }, { codec: 'pcm_s16le', channels: 6 }), 384],
  ])('%s: the video is copied untouched and only the audio becomes AAC', (_name, info, bitrateK) => {
    const plan = planConversion(info);
    expect(plan).toMatchObject({ mode: 'remux', audioToAacK: bitrateK });
  });

  it.each([
    ['VP8 + Vorbis', media({ codec: 'vp8' }, { codec: 'vorbis' })],
    ['H.264 + Opus taller than the target', media({ width: 1920, height: 1440 }, { codec: 'opus' })],
  ])('%s: the video itself needs converting, so everything is transcoded', (_name, info) => {
    expect(planConversion(info).mode).toBe('transcode');
  });

  it.each([
    ['avi', true],
    ['mov,mp4,m4a,3gp,3g2,mj2', false],
    ['matroska,webm', false],
  ])('remux from %s regenerates timestamps: %s', (formatName, regenerate) => {
    expect(planConversion({ ...media({}, aac), formatName })).toMatchObject({
      mode: 'remux',
      regenerateTimestamps: regenerate,
    });
  });

  it('tags HEVC hvc1 and leaves H.264 alone', () => {
    expect(planConversion(media({ codec: 'hevc' }))).toMatchObject({ mode: 'remux', videoTag: 'hvc1' });
    expect(planConversion(media({}))).toMatchObject({ mode: 'remux', videoTag: undefined });
  });

  it.each<[string, MediaInfo, LocalOptions, object]>([
    [
      'defaults: visually lossless CRF 18, medium preset, AAC copied, no scaling',
      media({ codec: 'mpeg4', width: 640, height: 480 }, aac),
      {},
      { crf: 18, preset: 'medium', audio: 'copy', scaleTo: undefined },
    ],
    [
      'configured CRF and preset; other audio re-encoded',
      media({ codec: 'vp8', width: 640, height: 480 }, { codec: 'vorbis', channels: 2 }),
      { crf: 23, preset: 'fast' },
      { crf: 23, preset: 'fast', audio: 'aac', audioBitrateK: 192 },
    ],
    [
      'no audio stays without audio',
      media({ codec: 'mpeg4', width: 640, height: 480 }),
      {},
      { audio: 'none', audioBitrateK: undefined },
    ],
    [
      'scaled to the target height',
      media({ width: 1920, height: 1440 }, aac),
      {},
      { scaleTo: { width: 1440, height: 1080 } },
    ],
    [
      'odd sizes made even',
      media({ codec: 'mjpeg', width: 321, height: 241 }),
      {},
      { scaleTo: { width: 320, height: 240 } },
    ],
    [
      'rotated sizes are the displayed ones',
      media({ codec: 'mpeg4', width: 1920, height: 1080, rotation: 90 }),
      {},
      { scaleTo: { width: 608, height: 1080 } },
    ],
    [
      'upscaled when asked',
      media({ codec: 'mpeg4', width: 320, height: 240 }),
      { height: 720, upscale: true },
      { scaleTo: { width: 960, height: 720 } },
    ],
  ])('transcode plan: %s', (_name, info, options, expected) => {
    expect(planConversion(info, options)).toMatchObject({ mode: 'transcode', ...expected });
  });

  it.each<[string, LocalOptions]>([
    ['a CRF above 51', { crf: 60 }],
    ['a negative CRF', { crf: -1 }],
    ['an unknown preset', { preset: '-y' }],
    ['a zero height', { height: 0 }],
    ['a fractional height', { height: 719.5 }],
  ])('rejects %s with a config error', (_name, options) => {
    expect(() => planConversion(media({ codec: 'mpeg4' }), options)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('rejects a file without video', () => {
    expect(() => planConversion(media(undefined, aac))).toThrow(
      expect.objectContaining({ code: 'NOT_A_VIDEO' }),
    );
  });
});

describe('aacBitrateK', () => {
  it.each([
    [1, 192],
    [2, 192],
    [6, 384],
    [8, 512],
  ])('%i channels → %ik', (channels, k) => {
    expect(aacBitrateK(channels)).toBe(k);
  });
});
