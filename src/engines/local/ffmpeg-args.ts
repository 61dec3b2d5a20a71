import type { FfmpegFeatures } from './ffmpeg-version.js';
import type { ConversionPlan } from './plan.js';

/**
 * The `file:` protocol prefix makes ffmpeg read the rest as a plain path: a name starting with `-`
 * is not an option and a name like `http:clip.mov` is not a URL.
 */
export function fileUrl(path: string): string {
  return `file:${path}`;
}

/**
 * The complete ffmpeg argument list for a plan; passed as an array, never through a shell. With
 * `indexRoom` (bytes, see readRemuxIndexRoom) ffmpeg reserves that much at the front for the index
 * instead of moving it there afterwards.
 */
export function buildFfmpegArgs(
  plan: ConversionPlan,
  input: string,
  output: string,
  features: FfmpegFeatures = { vfrFlag: '-fps_mode' },
  indexRoom?: number,
): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    // Errors only on stderr, so its last lines are the reason; progress as key=value on stdout.
    '-loglevel',
    'error',
    '-progress',
    'pipe:1',
    '-nostats',
    ...(plan.mode === 'remux' && plan.regenerateTimestamps ? ['-fflags', '+genpts'] : []),
    '-i',
    fileUrl(input),
    // The first real video (not cover art) and the first audio if any; subtitles, timecode and
    // data tracks often cannot go into an MP4 and would fail the whole job.
    '-map',
    '0:V:0',
    '-map',
    '0:a:0?',
    ...(plan.mode === 'remux' ? remuxArgs(plan) : transcodeArgs(plan, features)),
    // Sparse or late audio would otherwise stop the muxer with "Too many packets buffered".
    '-max_muxing_queue_size',
    '4096',
    // The index goes first so players and browsers start before the whole file has arrived: into
    // room kept for it, or moved there once the media is written (a second pass over the file).
    ...(indexRoom === undefined ? ['-movflags', '+faststart'] : ['-moov_size', String(indexRoom)]),
    '-f',
    'mp4',
    fileUrl(output),
  ];
}

function remuxArgs(plan: Extract<ConversionPlan, { mode: 'remux' }>): string[] {
  const tag = plan.videoTag ? ['-tag:v', plan.videoTag] : [];
  if (plan.audioToAacK === undefined) return ['-c', 'copy', ...tag];
  return ['-c:v', 'copy', ...tag, '-c:a', 'aac', '-b:a', `${plan.audioToAacK}k`];
}

function transcodeArgs(
  plan: Extract<ConversionPlan, { mode: 'transcode' }>,
  features: FfmpegFeatures,
): string[] {
  const args = ['-c:v', 'libx264', '-preset', plan.preset, '-crf', String(plan.crf)];
  // The contract: 8-bit 4:2:0 at High profile at most, which every phone, browser and TV decodes.
  args.push('-pix_fmt', 'yuv420p', '-profile:v', 'high');
  // For MP4 ffmpeg defaults to constant frame rate: phone and screen recordings (variable rate,
  // WebM from browsers claiming 1000 fps) would get thousands of duplicated frames.
  args.push(features.vfrFlag, 'vfr');
  // ffmpeg turns rotated pictures upright before these filters run, so sizes are the displayed ones.
  const filters =
    plan.filters ?? (plan.scaleTo ? [`scale=${plan.scaleTo.width}:${plan.scaleTo.height}`] : []);
  if (filters.length > 0) args.push('-vf', filters.join(','));
  if (plan.colour?.primaries) args.push('-color_primaries', plan.colour.primaries);
  if (plan.colour?.transfer) args.push('-color_trc', plan.colour.transfer);
  if (plan.colour?.space) args.push('-colorspace', plan.colour.space);
  if (plan.audio === 'copy') args.push('-c:a', 'copy');
  if (plan.audio === 'aac') args.push('-c:a', 'aac', '-b:a', `${plan.audioBitrateK ?? 192}k`);
  return args;
}
