import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, fileUrl } from '../../../../src/engines/local/ffmpeg-args.js';
import type { ConversionPlan } from '../../../../src/engines/local/plan.js';

const remux: ConversionPlan = { mode: 'remux', reason: 'fits', hasAudio: true, regenerateTimestamps: false };
const transcode: ConversionPlan = {
  mode: 'transcode',
  reason: 'mpeg4',
  crf: 18,
  preset: 'medium',
  audio: 'aac',
  audioBitrateK: 192,
};

/** The values following each occurrence of `flag`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

describe('buildFfmpegArgs', () => {
  it('reads and writes through file: so names are never options or URLs', () => {
    const args = buildFfmpegArgs(remux, '-in $(x) "q".mov', '/out/-y.mp4.part');
    expect(valuesOf(args, '-i')).toEqual(['file:-in $(x) "q".mov']);
    expect(args.at(-1)).toBe('file:/out/-y.mp4.part');
    expect(args.filter((a) => a.startsWith('-in'))).toEqual([]);
  });

  it('with room for the index: -moov_size of that many bytes instead of +faststart', () => {
    const args = buildFfmpegArgs(remux, 'in.mov', 'out.part', undefined, 150_000);
    expect(valuesOf(args, '-moov_size')).toEqual(['150000']);
    expect(args).not.toContain('+faststart');
    expect(valuesOf(buildFfmpegArgs(remux, 'in.mov', 'out.part'), '-movflags')).toEqual(['+faststart']);
  });

  it.each<[string, ConversionPlan]>([
    ['remux', remux],
    ['transcode', transcode],
  ])('%s: progress on stdout, faststart MP4, first video and optional audio', (_name, plan) => {
    const args = buildFfmpegArgs(plan, 'in.avi', 'out.part');
    expect(valuesOf(args, '-progress')).toEqual(['pipe:1']);
    expect(args).toContain('-nostats');
    expect(args).toContain('-nostdin');
    expect(valuesOf(args, '-movflags')).toEqual(['+faststart']);
    expect(valuesOf(args, '-f')).toEqual(['mp4']);
    expect(valuesOf(args, '-map')).toEqual(['0:V:0', '0:a:0?']);
    expect(args.indexOf('-i')).toBeLessThan(args.indexOf('-map'));
  });

  it.each<[string, ConversionPlan, Record<string, string[]>]>([
    ['remux H.264', remux, { '-c': ['copy'], '-tag:v': [], '-c:v': [], '-fps_mode': [], '-vsync': [] }],
    ['remux HEVC', { ...remux, videoTag: 'hvc1' }, { '-c': ['copy'], '-tag:v': ['hvc1'] }],
    [
      'remux H.264 with Opus audio',
      { ...remux, audioToAacK: 192 },
      { '-c': [], '-c:v': ['copy'], '-c:a': ['aac'], '-b:a': ['192k'], '-vf': [] },
    ],
    [
      'transcode with defaults',
      transcode,
      {
        '-c': [],
        '-c:v': ['libx264'],
        '-crf': ['18'],
        '-preset': ['medium'],
        '-pix_fmt': ['yuv420p'],
        '-profile:v': ['high'],
        '-fps_mode': ['vfr'],
        '-vf': [],
        '-c:a': ['aac'],
        '-b:a': ['192k'],
      },
    ],
    [
      'transcode scaled, audio copied',
      { ...transcode, crf: 23, preset: 'slow', scaleTo: { width: 1440, height: 1080 }, audio: 'copy' },
      { '-crf': ['23'], '-preset': ['slow'], '-vf': ['scale=1440:1080'], '-c:a': ['copy'], '-b:a': [] },
    ],
    [
      'transcode with a filter chain and colour tags',
      {
        ...transcode,
        filters: ['bwdif=mode=send_frame:deint=interlaced', 'scale=640:480', 'setsar=1'],
        colour: { primaries: 'smpte170m', transfer: 'bt709', space: 'smpte170m' },
      },
      {
        '-vf': ['bwdif=mode=send_frame:deint=interlaced,scale=640:480,setsar=1'],
        '-color_primaries': ['smpte170m'],
        '-color_trc': ['bt709'],
        '-colorspace': ['smpte170m'],
      },
    ],
    [
      'transcode without audio',
      { ...transcode, audio: 'none', audioBitrateK: undefined },
      { '-c:a': [], '-b:a': [] },
    ],
  ])('%s', (_name, plan, expected) => {
    const args = buildFfmpegArgs(plan, 'in', 'out');
    for (const [flag, values] of Object.entries(expected)) expect(valuesOf(args, flag)).toEqual(values);
  });

  it.each<[string, ConversionPlan, string[]]>([
    ['remux from AVI', { ...remux, regenerateTimestamps: true }, ['+genpts']],
    ['remux from MOV', remux, []],
    ['transcode', transcode, []],
  ])('%s: regenerates timestamps only where the container lacks them', (_name, plan, flags) => {
    const args = buildFfmpegArgs(plan, 'in', 'out');
    expect(valuesOf(args, '-fflags')).toEqual(flags);
    if (flags.length > 0) expect(args.indexOf('-fflags')).toBeLessThan(args.indexOf('-i'));
  });

  it('keeps variable frame rates with the flag this ffmpeg knows', () => {
    const old = buildFfmpegArgs(transcode, 'in', 'out', { vfrFlag: '-vsync' });
    expect(valuesOf(old, '-vsync')).toEqual(['vfr']);
    expect(valuesOf(old, '-fps_mode')).toEqual([]);
  });

  it('prefixes paths with file:', () => {
    expect(fileUrl('http:clip.mov')).toBe('file:http:clip.mov');
  });
});
