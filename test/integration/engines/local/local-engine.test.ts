import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FfmpegError, VideoInboxError } from '../../../../src/core/errors.js';
import type { EngineRequest } from '../../../../src/engines/engine.js';
import type { LocalOptions, Progress } from '../../../../src/domain/work.js';
import { tempPathBeside } from '../../../../src/engines/local/temp-output.js';
import { createLocalEngine } from '../../../../src/engines/local/local-engine.js';
import { createLogger } from '../../../../src/core/logger.js';
import { makeVideo, probe, topLevelBoxes, videoStreamHash, type MediaSpec } from '../../../helpers/media.js';
import { useLocalEngineSuite } from './local-suite.js';

const run = promisify(execFile);
const suite = useLocalEngineSuite('vi-local-engine-');
const { engine } = suite;

function request(input: string, destination: string, local?: LocalOptions): EngineRequest {
  return {
    jobId: 'job-1',
    input,
    instructions: [],
    skill: 'video-converter-best',
    language: 'en',
    quality: 'high',
    destination,
    local,
  };
}

async function convert(
  name: string,
  spec: MediaSpec,
  local?: LocalOptions,
  signal = new AbortController().signal,
) {
  const input = await makeVideo(join(suite.dir, name), spec);
  const destination = join(suite.dir, `${name}.out.mp4`);
  const events: Progress[] = [];
  const result = await engine.run(request(input, destination, local), {
    signal,
    progress: (p) => events.push(p),
    checkpoint: async () => {},
  });
  return { input, destination, result, events, out: await probe(destination) };
}

describe('local engine with real ffmpeg', () => {
  it('remuxes an H.264/AAC MOV into an MP4 with a bit-identical video stream', async () => {
    const { input, destination, result, events, out } = await convert('phone.mov', {});
    expect(result).toMatchObject({ path: destination, summary: 'remuxed' });
    expect(result.durationSec).toBeGreaterThan(0.5);
    expect(out.formatName).toContain('mp4');
    expect(out.video?.codec).toBe('h264');
    expect(out.audio?.codec).toBe('aac');
    expect(await videoStreamHash(destination)).toBe(await videoStreamHash(input));
    expect(events.at(-1)).toEqual({ stage: 'converting', percent: 100 });
    const percents = events.flatMap((e) => (e.percent === undefined ? [] : [e.percent]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('writes a stream copy in one pass: its index into room kept at the front, before the media', async () => {
    // Noise at 20 Mbit/s: 3 s make about 7.5 MB, enough that the room (some 70 KB) is under 1 %.
    const { destination } = await convert('one-pass.mov', {
      width: 640,
      height: 360,
      durationSec: 3,
      extra: ['-vf', 'noise=alls=40:allf=t', '-b:v', '20M', '-maxrate', '20M', '-bufsize', '40M'],
    });
    const boxes = (await topLevelBoxes(destination)).map((b) => b.type);
    // +faststart would leave moov, free (8 bytes), mdat; the reserved room is a free box of its own.
    expect(boxes.slice(0, 4)).toEqual(['ftyp', 'moov', 'free', 'free']);
    expect(boxes.indexOf('mdat')).toBeGreaterThan(boxes.indexOf('moov'));
  });

  it('copies a small file with +faststart: room kept for its index would be over 1 % of it', async () => {
    const { destination } = await convert('small-copy.mov', { durationSec: 2 });
    const boxes = await topLevelBoxes(destination);
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'free', 'mdat']);
    expect(boxes[2]!.size).toBe(8);
  });

  it('when the index outgrows the room kept for it, writes the file again with the index moved first', async () => {
    const lines: string[] = [];
    const tight = createLocalEngine({
      tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' },
      log: createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } }),
      indexRoom: async () => 100,
    });
    const input = await makeVideo(join(suite.dir, 'no-room.mov'), { durationSec: 2 });
    const destination = join(suite.dir, 'no-room.out.mp4');
    const percents: number[] = [];
    const result = await tight.run(request(input, destination), {
      signal: new AbortController().signal,
      progress: (p) => {
        if (p.percent !== undefined) percents.push(p.percent);
      },
      checkpoint: async () => {},
    });
    expect(result).toMatchObject({ path: destination, summary: 'remuxed' });
    expect(lines.some((l) => /did not fit the room/.test(l))).toBe(true);
    // The second run starts again at 0 %; what is reported never goes back.
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const boxes = (await topLevelBoxes(destination)).map((b) => b.type);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(await videoStreamHash(destination)).toBe(await videoStreamHash(input));
  });

  it('remuxes H.264 with B-frames from an AVI with its presentation order rebuilt', async () => {
    const { input, destination, result } = await convert('h264.avi', { extra: ['-bf', '2'] });
    expect(result.summary).toBe('remuxed');
    expect(await videoStreamHash(destination, 'h264')).toBe(await videoStreamHash(input, 'h264'));
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts,dts',
      '-of',
      'csv=p=0',
      destination,
    ]);
    const packets = stdout
      .trim()
      .split('\n')
      .map((l) => l.split(',').map(Number));
    // Reordered frames show up as pts ahead of dts; AVI-style pts = dts everywhere would be wrong.
    expect(packets.some(([pts, dts]) => pts !== dts)).toBe(true);
  });

  it.each<[string, MediaSpec]>([
    ['old.avi', { videoCodec: 'mpeg4', audioCodec: 'libmp3lame' }],
    ['camera.avi', { videoCodec: 'mjpeg', audioCodec: 'pcm_s16le' }],
    ['clip.webm', { videoCodec: 'libvpx', audioCodec: 'libvorbis', extra: ['-deadline', 'realtime'] }],
  ])('transcodes %s into a valid H.264/AAC MP4 no taller than 1080', async (name, spec) => {
    const { result, out } = await convert(name, spec);
    expect(result.summary).toBe('transcoded');
    expect(out.formatName).toContain('mp4');
    expect(out.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 320, height: 240 });
    expect(out.audio?.codec).toBe('aac');
    expect(out.durationSec).toBeGreaterThan(0.5);
  });

  it('copies the video of an H.264/Opus MKV bit for bit and converts only the audio to AAC', async () => {
    const { input, destination, result, out } = await convert('screen.mkv', {
      videoCodec: 'libx264',
      audioCodec: 'libopus',
    });
    expect(result.summary).toBe('remuxed, audio converted to AAC');
    expect(out.formatName).toContain('mp4');
    expect(out.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 320, height: 240 });
    expect(out.audio?.codec).toBe('aac');
    expect(await videoStreamHash(destination)).toBe(await videoStreamHash(input));
  });

  it('keeps a variable frame rate instead of filling gaps with duplicated frames', async () => {
    // 50 frames at 25 fps with a 1 s pause after frame 10, as screen recorders write them.
    const vfr = join(suite.dir, 'vfr.webm');
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25:duration=2',
      '-vf',
      "setpts='(N/25+if(gt(N,10),1,0))/TB'",
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      vfr,
    ]);
    const destination = join(suite.dir, 'vfr.out.mp4');
    const result = await engine.run(request(vfr, destination), {
      signal: new AbortController().signal,
      progress: () => {},
      checkpoint: async () => {},
    });
    expect(result.summary).toBe('transcoded');
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      destination,
    ]);
    expect(Number(stdout.trim())).toBe(50);
  });

  it('scales a 1920x1440 input down to 1440x1080', async () => {
    const { result, out } = await convert(
      'tall.mp4',
      { width: 1920, height: 1440, fps: 5, audioCodec: null },
      { preset: 'ultrafast' },
    );
    expect(result.summary).toBe('transcoded');
    expect(out.video).toMatchObject({ codec: 'h264', width: 1440, height: 1080 });
    expect(out.audio).toBeUndefined();
  });

  it('does not upscale a small input, unless asked', async () => {
    const kept = await convert('small.avi', { videoCodec: 'mpeg4', audioCodec: null });
    expect(kept.out.video).toMatchObject({ width: 320, height: 240 });
    const upscaled = await convert(
      'small-up.avi',
      { videoCodec: 'mpeg4', audioCodec: null },
      { height: 480, upscale: true, preset: 'ultrafast' },
    );
    expect(upscaled.out.video).toMatchObject({ width: 640, height: 480 });
  });

  it('makes odd sizes even and turns rotated pictures upright', async () => {
    const odd = await convert('odd.avi', { videoCodec: 'mjpeg', width: 321, height: 241, audioCodec: null });
    expect(odd.out.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });

    // A phone video shot upright: stored 320x240 with a quarter-turn, shown 240x320.
    const flat = await makeVideo(join(suite.dir, 'flat.mp4'), { audioCodec: null });
    const rotated = join(suite.dir, 'rotated.mp4');
    await run('ffmpeg', ['-v', 'error', '-i', flat, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const destination = join(suite.dir, 'rotated.out.mp4');
    // A 180-pixel box (180x320 upright) makes the 240x320 picture 180x240.
    const result = await engine.run(request(rotated, destination, { height: 180 }), {
      signal: new AbortController().signal,
      progress: () => {},
      checkpoint: async () => {},
    });
    expect(result.summary).toBe('transcoded');
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', destination]);
    const stream = (JSON.parse(stdout) as { streams: Record<string, unknown>[] }).streams[0];
    expect(stream).toMatchObject({ width: 180, height: 240 });
    expect(JSON.stringify(stream)).not.toContain('rotation');
  });

  it('converts files with hostile names and never runs what the name says', async () => {
    const hostile = `-dash $(touch pwned) 'single' "double" é 日本 ;|&.mov`;
    const input = await makeVideo(join(suite.dir, 'hostile-src.mov'), {});
    const hostileDir = await mkdtemp(join(suite.dir, `-in $(touch pwned) `));
    const { rename } = await import('node:fs/promises');
    const hostileInput = join(hostileDir, hostile);
    await rename(input, hostileInput);
    const destination = join(hostileDir, `-out $(touch pwned) "é".mp4`);
    const result = await engine.run(request(hostileInput, destination), {
      signal: new AbortController().signal,
      progress: () => {},
      checkpoint: async () => {},
    });
    expect(result.summary).toBe('remuxed');
    expect((await probe(destination)).video?.codec).toBe('h264');
    expect(await readdir(hostileDir)).toEqual(
      expect.arrayContaining([hostile, `-out $(touch pwned) "é".mp4`]),
    );
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(join(hostileDir, 'pwned'))).toBe(false);
  });

  it('fails a corrupt file with ffmpeg’s reason and leaves no output', async () => {
    // Without faststart the index sits at the end: a cut-off copy has none. (Any -movflags keeps
    // the helper from adding +faststart.)
    const good = await makeVideo(join(suite.dir, 'whole.mp4'), {
      extra: ['-movflags', '+use_metadata_tags'],
    });
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(good);
    const broken = join(suite.dir, 'broken.mp4');
    await writeFile(broken, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const destination = join(suite.dir, 'broken.out.mp4');
    const err = await engine
      .run(request(broken, destination), {
        signal: new AbortController().signal,
        progress: () => {},
        checkpoint: async () => {},
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    const ffErr = err as FfmpegError;
    expect(ffErr.message).toMatch(/moov atom not found|Invalid data found/);
    expect(ffErr.stderrTail).toMatch(/moov atom not found|Invalid data found/);
    expect(ffErr.hint).toBeTruthy();
    expect(existsSync(destination)).toBe(false);
  });

  it('refuses an audio file with cover art as not a video, leaving nothing behind', async () => {
    const song = join(suite.dir, 'song.m4a');
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=1',
      '-f',
      'lavfi',
      '-i',
      'color=red:size=64x64:duration=0.04',
      '-frames:v',
      '1',
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-c:a',
      'aac',
      '-c:v',
      'png',
      '-disposition:v',
      'attached_pic',
      song,
    ]);
    expect((await probe(song)).video).toBeDefined();
    const destination = join(suite.dir, 'song.out.mp4');
    const err = await engine
      .run(request(song, destination), {
        signal: new AbortController().signal,
        progress: () => {},
        checkpoint: async () => {},
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_A_VIDEO' });
    expect(existsSync(destination)).toBe(false);
  });

  it('replaces the leftover of a run killed with the daemon instead of leaving it beside the output', async () => {
    const crashDir = await mkdtemp(join(suite.dir, 'crash-'));
    const input = await makeVideo(join(crashDir, 'again.mov'), {});
    const destination = join(crashDir, 'again.out.mp4');
    await writeFile(tempPathBeside(destination), 'half of an earlier attempt');
    const result = await engine.run(request(input, destination), {
      signal: new AbortController().signal,
      progress: () => {},
      checkpoint: async () => {},
    });
    expect(result.summary).toBe('remuxed');
    expect(await videoStreamHash(destination)).toBe(await videoStreamHash(input));
    expect((await readdir(crashDir)).sort()).toEqual(['again.mov', 'again.out.mp4']);
  });

  it('stops ffmpeg when cancelled, reports progress until then, and leaves no partial file', async () => {
    const cancelDir = await mkdtemp(join(suite.dir, 'cancel-'));
    const input = await makeVideo(join(cancelDir, 'long.avi'), {
      videoCodec: 'mpeg4',
      audioCodec: null,
      // Long enough that x264's slowest preset is still busy when the first progress line arrives.
      durationSec: 20,
    });
    const destination = join(cancelDir, 'long.out.mp4');
    const controller = new AbortController();
    const events: Progress[] = [];
    let partialSeen: string[] = [];
    const err = await engine
      .run(request(input, destination, { preset: 'veryslow' }), {
        signal: controller.signal,
        progress: (p) => {
          events.push(p);
          if (p.stage === 'converting' && (p.percent ?? 0) >= 1 && !controller.signal.aborted) {
            partialSeen = [];
            void readdir(cancelDir).then((names) => {
              partialSeen = names.filter((n) => n.endsWith('.part'));
              controller.abort();
            });
          }
        },
        checkpoint: async () => {},
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoInboxError);
    expect((err as VideoInboxError).code).toBe('CANCELLED');
    expect(partialSeen).toHaveLength(1);
    expect(await readdir(cancelDir)).toEqual(['long.avi']);
    const percents = events.flatMap((e) => (e.stage === 'converting' && e.percent ? [e.percent] : []));
    expect(percents.length).toBeGreaterThan(0);
    expect(percents.every((p) => p > 0 && p < 100)).toBe(true);
  });

  it('with keepHevc remuxes HEVC and tags it hvc1 so Apple players open it', async (ctx) => {
    if (!suite.hasX265) return ctx.skip('this ffmpeg has no libx265 encoder, so no HEVC input can be made');
    const { input, destination, result, out } = await convert(
      'hevc.mkv',
      {
        videoCodec: 'libx265',
        extra: ['-pix_fmt', 'yuv420p', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
      },
      { keepHevc: true },
    );
    expect(result.summary).toBe('remuxed');
    expect(out.video).toMatchObject({ codec: 'hevc', tag: 'hvc1' });
    expect(await videoStreamHash(destination)).toBe(await videoStreamHash(input));
  });

  it('without keepHevc converts HEVC to H.264, as the MP4 contract asks', async (ctx) => {
    if (!suite.hasX265) return ctx.skip('this ffmpeg has no libx265 encoder, so no HEVC input can be made');
    const { result, out } = await convert('hevc-default.mkv', {
      videoCodec: 'libx265',
      extra: ['-pix_fmt', 'yuv420p', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
    });
    expect(result.summary).toBe('transcoded');
    expect(out.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p' });
  });
});
