import type { MediaInfo } from '../../domain/media.js';
import { fileUrl } from './ffmpeg-args.js';

/**
 * The step before a cloud job when the source's container is one the API refuses (it takes mp4,
 * mov, avi, webm, mkv): the local engine brings the file into one it takes, losing nothing where it
 * can. A copy into MP4 when both streams belong there; else a copy into Matroska, which holds nearly
 * every codec a camera or DVD wrote; else (WMV, Flash, DV, H.263, Windows Media audio: codecs a cloud
 * decoder may not know) a transcode to the contract MP4. The converted file then goes the rule's way:
 * to the API when the rule needs the cloud, never finished locally instead of an edit.
 */
export type CloudIntakePlan =
  | { kind: 'as-is'; reason: string }
  | { kind: 'remux'; container: 'mp4' | 'mkv'; reason: string; regenerateTimestamps: boolean }
  | { kind: 'transcode'; reason: string };

export const CLOUD_CONTAINERS = ['mp4', 'mov', 'avi', 'webm', 'mkv'] as const;

const MP4_VIDEO = ['h264', 'hevc', 'mpeg4', 'av1'];
const MP4_AUDIO = ['aac', 'mp3', 'ac3', 'eac3', 'alac'];
const MKV_VIDEO = [...MP4_VIDEO, 'mpeg2video', 'mpeg1video', 'vp8', 'vp9'];
const MKV_AUDIO = [
  ...MP4_AUDIO,
  'mp2',
  'opus',
  'vorbis',
  'flac',
  'dts',
  'pcm_s16le',
  'pcm_s24le',
  'pcm_s16be',
  'pcm_dvd',
];

/** `ext` is the source's extension (lowercase, no dot); `info` what ffprobe said about it. */
export function planCloudIntake(ext: string, info: MediaInfo): CloudIntakePlan {
  if ((CLOUD_CONTAINERS as readonly string[]).includes(ext.toLowerCase())) {
    return { kind: 'as-is', reason: `the API takes .${ext.toLowerCase()}` };
  }
  const video = info.video?.codec;
  if (!video) return { kind: 'transcode', reason: 'no video stream ffprobe could name' };
  const audio = info.audio?.codec;
  const fits = (videos: string[], audios: string[]) =>
    videos.includes(video) && (audio === undefined || audios.includes(audio));
  // MPEG program streams (DVD .vob/.mpg) and transport streams can start mid-GOP: new timestamps.
  const regenerateTimestamps = /(^|,)(mpeg|vob|mpegts|mpegvideo)(,|$)/.test(info.formatName);
  const streams = `${video}${audio ? ` + ${audio}` : ''}`;
  if (fits(MP4_VIDEO, MP4_AUDIO)) {
    return { kind: 'remux', container: 'mp4', reason: `${streams} copied into MP4`, regenerateTimestamps };
  }
  if (fits(MKV_VIDEO, MKV_AUDIO)) {
    return {
      kind: 'remux',
      container: 'mkv',
      reason: `${streams} copied into Matroska`,
      regenerateTimestamps,
    };
  }
  return { kind: 'transcode', reason: `${streams} cannot be copied into a container the API takes` };
}

/** The file name of the converted copy: the source's stem with the new container's extension. */
export function cloudIntakeName(stem: string, plan: CloudIntakePlan): string | undefined {
  if (plan.kind === 'as-is') return undefined;
  return `${stem}.${plan.kind === 'remux' ? plan.container : 'mp4'}`;
}

/**
 * ffmpeg arguments for a remux plan: first video and first audio copied, nothing else (subtitles,
 * DVD navigation and data streams often cannot go into the target). A transcode plan uses the local
 * engine's own conversion (planConversion + buildFfmpegArgs) instead.
 */
export function buildCloudIntakeArgs(
  plan: Extract<CloudIntakePlan, { kind: 'remux' }>,
  input: string,
  output: string,
): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-progress',
    'pipe:1',
    '-nostats',
    ...(plan.regenerateTimestamps ? ['-fflags', '+genpts'] : []),
    '-i',
    fileUrl(input),
    '-map',
    '0:V:0',
    '-map',
    '0:a:0?',
    '-c',
    'copy',
    ...(plan.container === 'mp4' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'matroska']),
    fileUrl(output),
  ];
}
