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
    ['H.264 High profile', media({ profile: 'High' }, aac), {}, 'remux'],
    ['H.264 Constrained Baseline', media({ profile: 'Constrained Baseline' }, aac), {}, 'remux'],
    ['H.264 with odd sizes', media({ width: 321, height: 241 }, aac), {}, 'remux'],
    ['H.264 portrait 1080x1920', media({ width: 1080, height: 1920 }, aac), {}, 'remux'],
    ['H.264 4:3 at 1440x1080', media({ width: 1440, height: 1080 }, aac), {}, 'remux'],
    [
      'H.264 HDV 1440x1080 with 4:3 pixels (shown 1920x1080)',
      media({ width: 1440, height: 1080, sampleAspect: 4 / 3 }, aac),
      {},
      'remux',
    ],
    ['HEVC + AAC with keepHevc', media({ codec: 'hevc' }, aac), { keepHevc: true }, 'remux'],
    [
      'HEVC 10-bit HDR with keepHevc',
      media({ codec: 'hevc', pixFmt: 'yuv420p10le', profile: 'Main 10', colorTransfer: 'smpte2084' }),
      { keepHevc: true },
      'remux',
    ],
    ['HEVC + AAC (the contract asks for H.264)', media({ codec: 'hevc' }, aac), {}, 'transcode'],
    ['H.264 full-range 4:2:0 (yuvj420p)', media({ pixFmt: 'yuvj420p' }, aac), {}, 'transcode'],
    ['H.264 without a known pixel format', media({ pixFmt: undefined }, aac), {}, 'transcode'],
    ['H.264 High 4:4:4 Predictive', media({ profile: 'High 4:4:4 Predictive' }, aac), {}, 'transcode'],
    ['H.264 tagged HLG', media({ colorTransfer: 'arib-std-b67' }, aac), {}, 'transcode'],
    ['H.264 wider than the box (2560x1080)', media({ width: 2560, height: 1080 }, aac), {}, 'transcode'],
    ['H.264 portrait taller than 1920', media({ width: 1080, height: 2400 }, aac), {}, 'transcode'],
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
    ['H.264 rotated, shown portrait 1080x1920', media({ rotation: -90 }, aac), {}, 'remux'],
    [
      'H.264 rotated 3840x2160, shown 2160x3840',
      media({ width: 3840, height: 2160, rotation: 90 }, aac),
      {},
      'transcode',
    ],
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
    ['HEVC + 5.1 PCM with keepHevc', media({ codec: 'hevc' }, { codec: 'pcm_s16le', channels: 6 }), 384],
  ])('%s: the video is copied untouched and only the audio becomes AAC', (_name, info, bitrateK) => {
    const plan = planConversion(info, { keepHevc: true });
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
    expect(planConversion(media({ codec: 'hevc' }), { keepHevc: true })).toMatchObject({
      mode: 'remux',
      videoTag: 'hvc1',
    });
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
      { scaleTo: undefined },
    ],
    [
      'rotated 4K shown portrait: fitted into 1080x1920',
      media({ codec: 'mpeg4', width: 3840, height: 2160, rotation: 90 }),
      {},
      { scaleTo: { width: 1080, height: 1920 } },
    ],
    [
      'anamorphic DV 720x480 with 8:9 pixels: square pixels, shown 640x480',
      media({ codec: 'dvvideo', width: 720, height: 480, sampleAspect: 8 / 9, fieldOrder: 'bb' }),
      {},
      {
        scaleTo: { width: 640, height: 480 },
        filters: ['bwdif=mode=send_frame:deint=interlaced', 'scale=640:480', 'setsar=1'],
      },
    ],
    [
      'widescreen DV with 32:27 pixels: shown 854x480',
      media({ codec: 'dvvideo', width: 720, height: 480, sampleAspect: 32 / 27 }),
      {},
      { scaleTo: { width: 854, height: 480 }, filters: ['scale=854:480', 'setsar=1'] },
    ],
    [
      'SDR colour tags kept, an RGB matrix dropped',
      media({ codec: 'prores', colorPrimaries: 'bt709', colorTransfer: 'bt709', colorSpace: 'gbr' }),
      {},
      { colour: { primaries: 'bt709', transfer: 'bt709', space: undefined }, hdr: undefined },
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

  it.each([
    ['PQ', 'smpte2084'],
    ['HLG', 'arib-std-b67'],
  ])(
    'HDR (%s) 10-bit HEVC: tone-mapped to BT.709 SDR when this ffmpeg can, else the plain fallback',
    (_n, trc) => {
      const hdr = media(
        {
          codec: 'hevc',
          pixFmt: 'yuv420p10le',
          colorTransfer: trc,
          colorPrimaries: 'bt2020',
          colorSpace: 'bt2020nc',
        },
        aac,
      );
      const bt709 = { primaries: 'bt709', transfer: 'bt709', space: 'bt709' };
      const mapped = planConversion(hdr, {}, { toneMap: true });
      expect(mapped).toMatchObject({ mode: 'transcode', hdr: 'tonemap', colour: bt709 });
      const filters = mapped.mode === 'transcode' ? (mapped.filters ?? []) : [];
      expect(filters[0]).toBe(`zscale=tin=${trc}:pin=2020:min=2020_ncl:t=linear:npl=100`);
      expect(filters).toContain('tonemap=tonemap=hable:desat=0');
      expect(filters.at(-1)).toBe('format=yuv420p');
      const plain = planConversion(hdr, {}, { toneMap: false });
      expect(plain).toMatchObject({
        mode: 'transcode',
        hdr: 'fallback',
        colour: bt709,
        filters: ['scale=out_color_matrix=bt709'],
      });
    },
  );

  it.each<[string, LocalOptions]>([
    ['a CRF above 51', { crf: 60 }],
    ['a negative CRF', { crf: -1 }],
    ['CRF 0 (lossless, High 4:4:4 only)', { crf: 0 }],
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
