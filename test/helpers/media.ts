import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MediaSpec {
  /** e.g. 'libx264', 'mpeg4', 'mjpeg', 'libvpx', 'hevc' (libx265) */
  videoCodec?: string;
  /** e.g. 'aac', 'libmp3lame', 'libvorbis', 'libopus', 'pcm_s16le'; null for no audio */
  audioCodec?: string | null;
  width?: number;
  height?: number;
  durationSec?: number;
  fps?: number;
  /** Extra output arguments (e.g. ['-tag:v', 'hvc1']). */
  extra?: string[];
}

/** Makes a small real video with ffmpeg's test sources, so tests never ship binary media. */
export async function makeVideo(path: string, spec: MediaSpec = {}): Promise<string> {
  const {
    videoCodec = 'libx264',
    audioCodec = 'aac',
    width = 320,
    height = 240,
    durationSec = 1,
    fps = 25,
  } = spec;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  args.push('-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}:duration=${durationSec}`);
  if (audioCodec)
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSec}`);
  args.push('-c:v', videoCodec);
  if (videoCodec === 'libx264') args.push('-pix_fmt', 'yuv420p', '-preset', 'ultrafast');
  if (audioCodec) args.push('-c:a', audioCodec);
  // MP4/MOV with the index up front, as the MP4 contract wants every output (fixtures that stand in
  // for outputs must pass the verifier); pass `extra` with another -movflags to override.
  if (/\.(mp4|mov|m4v)$/i.test(path) && !(spec.extra ?? []).includes('-movflags')) {
    args.push('-movflags', '+faststart');
  }
  args.push(...(spec.extra ?? []), '-shortest', path);
  await run('ffmpeg', args);
  return path;
}

export interface ProbeSummary {
  formatName: string;
  durationSec: number;
  video?: { codec: string; width: number; height: number; pixFmt?: string; tag?: string };
  audio?: { codec: string };
}

/** What ffprobe reports of a file's format and streams, as its JSON. */
export async function ffprobeJson<T>(path: string): Promise<T> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as T;
}

export async function probe(path: string): Promise<ProbeSummary> {
  const data = await ffprobeJson<{
    format: { format_name: string; duration?: string };
    streams: {
      codec_type: string;
      codec_name: string;
      width?: number;
      height?: number;
      pix_fmt?: string;
      codec_tag_string?: string;
    }[];
  }>(path);
  const v = data.streams.find((s) => s.codec_type === 'video');
  const a = data.streams.find((s) => s.codec_type === 'audio');
  return {
    formatName: data.format.format_name,
    durationSec: Number(data.format.duration ?? 0),
    video: v
      ? {
          codec: v.codec_name,
          width: v.width ?? 0,
          height: v.height ?? 0,
          pixFmt: v.pix_fmt,
          tag: v.codec_tag_string,
        }
      : undefined,
    audio: a ? { codec: a.codec_name } : undefined,
  };
}

/**
 * MD5 of the decoded-free video stream packets: equal for bit-identical streams. AVI, MPEG-TS and
 * raw streams frame H.264/HEVC with start codes, MP4/MOV/MKV with lengths; pass `annexB` with the
 * codec to compare across the two by converting both to start codes first (the coded data is
 * untouched).
 */
export async function videoStreamHash(path: string, annexB?: 'h264' | 'hevc'): Promise<string> {
  const { stdout } = await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    path,
    '-map',
    '0:v:0',
    '-c',
    'copy',
    ...(annexB ? ['-bsf:v', `${annexB}_mp4toannexb`] : []),
    '-f',
    'md5',
    '-',
  ]);
  return stdout.trim();
}

/** The start of a quiet, overwriting ffmpeg run that never reads the terminal: errors only on stderr. */
export const QUIET_FFMPEG: readonly string[] = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];

/** The start of a quiet, overwriting ffmpeg run whose first input is a generated test picture (`testsrc`). */
export function testsrcInput(size = '320x240', seconds = 1, rate: number | string = 25): string[] {
  return ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}:duration=${seconds}`];
}

export interface TestSources {
  /** testsrc's size, e.g. '320x240' (the default). */
  size?: string;
  /** Default 1. */
  seconds?: number;
  /** Frames per second, a number or a ratio ('30000/1001'); default 25. */
  rate?: number | string;
  /** A 440 Hz sine beside the picture; default true. */
  audio?: boolean;
}

/**
 * `testsrcInput` (and a sine, unless `audio: false`) encoded with exactly the output arguments `out`
 * (codecs, flags, container options), cut to the shorter input: for tests that need full control of
 * how the file is made, which makeVideo's defaults do not give.
 */
export async function encodeTestSources(
  path: string,
  out: string[],
  sources: TestSources = {},
): Promise<string> {
  const { size = '320x240', seconds = 1, rate = 25, audio = true } = sources;
  const args = testsrcInput(size, seconds, rate);
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
  args.push(...out, '-shortest', path);
  await run('ffmpeg', args);
  return path;
}

/** An ISO media file's top-level boxes, in order: their types and whole sizes (for layout checks). */
export async function topLevelBoxes(path: string): Promise<{ type: string; size: number }[]> {
  const bytes = await readFile(path);
  const boxes: { type: string; size: number }[] = [];
  for (let at = 0; at + 8 <= bytes.length;) {
    let size = bytes.readUInt32BE(at);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    else if (size === 0) size = bytes.length - at;
    if (size < 8) throw new Error(`${path}: no box structure at byte ${at}`);
    boxes.push({ type: bytes.toString('latin1', at + 4, at + 8), size });
    at += size;
  }
  return boxes;
}
