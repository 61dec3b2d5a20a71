import { execFile } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VideoInboxError } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/core/logger.js';
import type { LocalOptions } from '../../../../src/domain/work.js';
import { createLocalEngine } from '../../../../src/engines/local/local-engine.js';
import { nodeOutboxFs } from '../../../../src/outbox/outbox-fs.js';
import { conformOutput, verifyOutput } from '../../../../src/outbox/verify-output.js';
import { encodeTestSources, ffprobeJson } from '../../../helpers/media.js';
import { useLocalEngineSuite } from './local-suite.js';

const run = promisify(execFile);
const suite = useLocalEngineSuite('vi-mp4-contract-');
const { engine } = suite;

const X265 = ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'];
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

/** An input made by ffmpeg from test sources: `size` is the lavfi size, `out` the output options. */
function make(name: string, size: string, out: string[], opts: { audio?: boolean; rate?: string } = {}) {
  return encodeTestSources(join(suite.dir, name), out, { size, ...opts });
}

interface Stream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  color_transfer?: string;
  color_primaries?: string;
  side_data_list?: { rotation?: number }[];
}

async function ffprobe(path: string): Promise<{ format: { format_name: string }; streams: Stream[] }> {
  return ffprobeJson(path);
}

/** The order of the top-level atoms as ffmpeg's own trace output reports them. */
async function moovBeforeMdat(path: string): Promise<boolean> {
  const { stderr } = await run('ffprobe', ['-v', 'trace', '-i', path], { maxBuffer: 64 * 1024 * 1024 });
  const moov = stderr.indexOf("type:'moov' parent:'root'");
  const mdat = stderr.indexOf("type:'mdat' parent:'root'");
  return moov >= 0 && mdat >= 0 && moov < mdat;
}

/** Asserts, field by field from ffprobe, that `path` meets the MP4 contract; returns the shown size. */
async function expectContract(path: string, sourceHadAudio: boolean) {
  const { format, streams } = await ffprobe(path);
  expect(format.format_name).toContain('mp4');
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  expect(video?.codec_name).toBe('h264');
  expect(video?.pix_fmt).toBe('yuv420p');
  expect(['Constrained Baseline', 'Baseline', 'Main', 'High']).toContain(video?.profile);
  expect(['smpte2084', 'arib-std-b67']).not.toContain(video?.color_transfer);
  if (sourceHadAudio) expect(audio?.codec_name).toBe('aac');
  else expect(audio).toBeUndefined();
  expect(await moovBeforeMdat(path)).toBe(true);
  const [num, den] = (video?.sample_aspect_ratio ?? '1:1').split(':').map(Number);
  const sar = num && den ? num / den : 1;
  const rotation = video?.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? 0;
  const w = Math.round((video?.width ?? 0) * sar);
  const h = video?.height ?? 0;
  const shown = Math.abs(rotation) % 180 === 90 ? { width: h, height: w } : { width: w, height: h };
  const portrait = shown.height > shown.width;
  expect(shown.width).toBeLessThanOrEqual(portrait ? 1080 : 1920);
  expect(shown.height).toBeLessThanOrEqual(portrait ? 1920 : 1080);
  // The placed-output verifier agrees.
  await expect(verifyOutput(path, { contract: { sourceHadAudio } })).resolves.toBeDefined();
  return { shown, video: video as Stream };
}

async function convert(input: string, local?: LocalOptions) {
  const destination = `${input}.out.mp4`;
  const result = await engine.run(
    {
      jobId: 'job',
      input,
      instructions: [],
      skill: 'video-converter-best',
      language: 'en',
      quality: 'high',
      destination,
      local,
    },
    { signal: new AbortController().signal, progress: () => {}, checkpoint: async () => {} },
  );
  return { destination, summary: result.summary };
}

describe('every local output meets the MP4 contract (real ffmpeg inputs)', { timeout: 180_000 }, () => {
  it('iPhone-like HEVC MOV with a rotation tag → H.264, shown upright as portrait', async (ctx) => {
    if (!suite.hasX265) return ctx.skip('no libx265 in this ffmpeg');
    const flat = await make('iphone-flat.mov', '640x360', [
      ...X265,
      '-tag:v',
      'hvc1',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ]);
    const input = join(suite.dir, 'IMG_0001.MOV');
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      flat,
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=90',
      input,
    ]);
    const { destination, summary } = await convert(input);
    expect(summary).toBe('transcoded');
    const { shown } = await expectContract(destination, true);
    expect(shown).toEqual({ width: 360, height: 640 });
  });

  it('keepHevc keeps an iPhone HEVC MOV as HEVC (hvc1), copied', async (ctx) => {
    if (!suite.hasX265) return ctx.skip('no libx265 in this ffmpeg');
    const input = await make('keep.mov', '640x360', [
      ...X265,
      '-tag:v',
      'hvc1',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ]);
    const { destination, summary } = await convert(input, { keepHevc: true });
    expect(summary).toBe('remuxed');
    const { streams } = await ffprobe(destination);
    expect(streams[0]).toMatchObject({ codec_name: 'hevc' });
    await expect(verifyOutput(destination, { contract: { keepHevc: true } })).resolves.toBeDefined();
    await expect(verifyOutput(destination)).rejects.toThrow(/hevc, not H.264/);
  });

  for (const [name, trc] of [
    ['PQ (HDR10)', 'smpte2084'],
    ['HLG', 'arib-std-b67'],
  ] as const) {
    it(`10-bit HEVC ${name} → 8-bit SDR H.264 tagged BT.709`, async (ctx) => {
      if (!suite.hasX265) return ctx.skip('no libx265 in this ffmpeg');
      const tags = ['-color_primaries', 'bt2020', '-color_trc', trc, '-colorspace', 'bt2020nc'];
      const input = await make(`hdr-${trc}.mov`, '640x360', [
        ...X265,
        '-pix_fmt',
        'yuv420p10le',
        ...tags,
        '-c:a',
        'aac',
      ]);
      expect((await ffprobe(input)).streams[0]).toMatchObject({
        pix_fmt: 'yuv420p10le',
        color_transfer: trc,
      });
      const { destination } = await convert(input);
      const { video } = await expectContract(destination, true);
      expect(video).toMatchObject({ color_transfer: 'bt709', color_primaries: 'bt709' });
    });
  }

  it('HDR without zscale/tonemap (the fallback) still gives an 8-bit SDR contract MP4', async (ctx) => {
    if (!suite.hasX265) return ctx.skip('no libx265 in this ffmpeg');
    const tags = ['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc'];
    const input = await make('hdr-fallback.mov', '640x360', [...X265, '-pix_fmt', 'yuv420p10le', ...tags], {
      audio: false,
    });
    const plain = createLocalEngine({
      tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' },
      log: silentLogger(),
      features: { vfrFlag: '-fps_mode', toneMap: false },
    });
    const destination = `${input}.out.mp4`;
    await plain.run(
      {
        jobId: 'job',
        input,
        instructions: [],
        skill: 'video-converter-best',
        language: 'en',
        quality: 'high',
        destination,
      },
      { signal: new AbortController().signal, progress: () => {}, checkpoint: async () => {} },
    );
    const { video } = await expectContract(destination, false);
    expect(video).toMatchObject({ color_transfer: 'bt709', color_primaries: 'bt709' });
  });

  it('4K landscape → 1920x1080', async () => {
    const input = await make('4k.mp4', '3840x2160', [...X264, '-c:a', 'aac'], { rate: '5' });
    const { destination } = await convert(input);
    expect((await expectContract(destination, true)).shown).toEqual({ width: 1920, height: 1080 });
  });

  it('portrait 1080x1920 already in the contract is remuxed at its size', async () => {
    const input = await make('portrait.mp4', '1080x1920', [...X264, '-c:a', 'aac'], { rate: '5' });
    const { destination, summary } = await convert(input);
    expect(summary).toBe('remuxed');
    expect((await expectContract(destination, true)).shown).toEqual({ width: 1080, height: 1920 });
  });

  it('portrait 2160x3840 → 1080x1920', async () => {
    const input = await make('portrait-4k.mp4', '2160x3840', [...X264, '-c:a', 'aac'], { rate: '5' });
    const { destination } = await convert(input);
    expect((await expectContract(destination, true)).shown).toEqual({ width: 1080, height: 1920 });
  });

  it.each([
    ['8:9 (4:3 NTSC DV)', '4:3', 640],
    ['32:27 (16:9 NTSC DV)', '16:9', 854],
  ])('anamorphic DV 720x480 with SAR %s → square pixels, shape kept', async (_name, aspect, width) => {
    const input = await make(
      `anamorphic-${width}.dv`,
      '720x480',
      [
        '-c:v',
        'dvvideo',
        '-pix_fmt',
        'yuv411p',
        '-aspect',
        aspect,
        '-c:a',
        'pcm_s16le',
        '-ar',
        '48000',
        '-ac',
        '2',
      ],
      { rate: '30000/1001' },
    );
    const { destination } = await convert(input);
    const { shown, video } = await expectContract(destination, true);
    expect(shown).toEqual({ width, height: 480 });
    expect(video.sample_aspect_ratio ?? '1:1').toBe('1:1');
  });

  it.each<[string, string, string[], { width: number; height: number }?]>([
    ['DVD MPEG-2 .mpg', 'dvd.mpg', ['-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'mpeg']],
    ['VOB-like MPEG-PS with AC-3', 'VTS_01_1.VOB', ['-c:v', 'mpeg2video', '-c:a', 'ac3', '-f', 'vob']],
    ['Windows Media .wmv (wmv2 + wmav2)', 'old.wmv', ['-c:v', 'wmv2', '-c:a', 'wmav2']],
    ['Flash .flv', 'clip.flv', ['-c:v', 'flv', '-c:a', 'aac', '-ar', '44100']],
    ['AVCHD .mts (H.264 + AC-3 in MPEG-TS)', '00001.MTS', [...X264, '-c:a', 'ac3', '-f', 'mpegts']],
    // CIF 352x288 with 12:11 pixels: shown 4:3.
    [
      '3GP (H.263 CIF)',
      'phone.3gp',
      ['-c:v', 'h263', '-s', '352x288', '-c:a', 'aac', '-ar', '8000', '-ac', '1'],
      { width: 384, height: 288 },
    ],
    ['Ogg .ogv (Theora + Vorbis)', 'clip.ogv', ['-c:v', 'libtheora', '-c:a', 'libvorbis']],
    ['iTunes .m4v', 'movie.m4v', [...X264, '-c:a', 'aac']],
    ['H.264 MP4 with its index at the end', 'no-faststart.mp4', [...X264, '-c:a', 'aac']],
  ])('%s → contract MP4', async (_name, file, out, shown = { width: 320, height: 240 }) => {
    const input = await make(file, '320x240', out);
    const { destination } = await convert(input);
    expect((await expectContract(destination, true)).shown).toEqual(shown);
  });

  it('a non-faststart H.264 MP4 is fixed by a remux (bit-identical video), not a transcode', async () => {
    const input = await make('late-index.mp4', '320x240', [...X264, '-c:a', 'aac']);
    expect(await moovBeforeMdat(input)).toBe(false);
    await expect(verifyOutput(input)).rejects.toThrow(/index \(moov\) comes after/);
    const { destination, summary } = await convert(input);
    expect(summary).toBe('remuxed');
    await expectContract(destination, true);
  });
});

describe(
  'outputs made elsewhere (the cloud render) are verified against the contract',
  { timeout: 180_000 },
  () => {
    it('rejects an HEVC MP4 without ffmpeg, and converts it to a contract MP4 with ffmpeg', async (ctx) => {
      if (!suite.hasX265) return ctx.skip('no libx265 in this ffmpeg');
      // RGB (gbrp) HEVC, as x265 makes from an RGB source: also checks its "gbr" matrix is not copied.
      const render = await make('render-hevc.mp4', '640x360', [
        ...X265,
        '-tag:v',
        'hvc1',
        '-c:a',
        'aac',
        '-movflags',
        '+faststart',
      ]);
      const err = await verifyOutput(render).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VideoInboxError);
      expect(err).toMatchObject({ code: 'OUTPUT_INVALID', retryable: false });
      expect((err as Error).message).toMatch(/does not meet the MP4 contract: its video is hevc, not H.264/);

      const copy = join(suite.dir, 'render-copy.mp4');
      await copyFile(render, copy);
      await expect(
        conformOutput(copy, { engine: undefined, fs: nodeOutboxFs, log: silentLogger() }),
      ).rejects.toMatchObject({
        code: 'OUTPUT_INVALID',
        message: expect.stringMatching(/ffmpeg is not installed/),
      });

      const conformed = await conformOutput(render, {
        engine: createLocalEngine({ tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }, log: silentLogger() }),
        fs: nodeOutboxFs,
        log: silentLogger(),
        contract: { sourceHadAudio: true },
      });
      expect(conformed.fixed).toBe('transcoded');
      await expectContract(render, true);
    });

    it('rejects an output that lost the sound of a source that had it', async () => {
      const silent = await make('silent.mp4', '320x240', [...X264, '-movflags', '+faststart'], {
        audio: false,
      });
      await expect(verifyOutput(silent)).resolves.toBeDefined();
      await expect(verifyOutput(silent, { contract: { sourceHadAudio: true } })).rejects.toThrow(/no sound/);
    });
  },
);
