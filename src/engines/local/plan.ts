import { VideoInboxError } from '../../core/errors.js';
import type { LocalOptions } from '../../domain/work.js';
import type { MediaInfo } from '../../domain/media.js';
import { displaySize, fitSize, type Size } from './fit-size.js';

/** A visually lossless x264 quality: the point where people stop seeing a difference. */
export const DEFAULT_CRF = 18;
export const DEFAULT_PRESET = 'medium';
export const DEFAULT_HEIGHT = 1080;

export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const;

export type AudioPlan = 'copy' | 'aac' | 'none';

export type ConversionPlan =
  | {
      mode: 'remux';
      /** Why a copy is safe, for the job log. */
      reason: string;
      /** HEVC must be tagged hvc1 or Apple players refuse the file. */
      videoTag?: 'hvc1';
      hasAudio: boolean;
      /**
       * AVI stores no presentation times: copied B-frames would get pts = dts and play out of
       * order unless ffmpeg regenerates them.
       */
      regenerateTimestamps: boolean;
      /**
       * Set when only the audio needs converting (Opus, Vorbis, MP3, PCM next to fine H.264): the
       * video is still copied bit for bit and the sound becomes AAC at this bitrate.
       */
      audioToAacK?: number;
    }
  | {
      mode: 'transcode';
      /** Why a copy would not do, for the job log. */
      reason: string;
      crf: number;
      preset: string;
      /** Output size as displayed; undefined when the picture keeps its size. */
      scaleTo?: Size;
      audio: AudioPlan;
      audioBitrateK?: number;
    };

// 4:2:0 only: 4:2:2/4:4:4 H.264 is still "H.264" but most phones and browsers cannot play it.
const REMUXABLE_PIX_FMTS: Record<string, readonly string[]> = {
  h264: ['yuv420p', 'yuvj420p'],
  hevc: ['yuv420p', 'yuvj420p', 'yuv420p10le'],
};

/** Remux when the streams can go into an MP4 untouched and still play everywhere; else transcode. */
export function planConversion(info: MediaInfo, options: LocalOptions = {}): ConversionPlan {
  const video = info.video;
  if (!video || video.width <= 0 || video.height <= 0) {
    throw new VideoInboxError('NOT_A_VIDEO', 'The file has no video stream ffmpeg can read', {
      hint: 'Check that the file is a video and plays in a player.',
      context: { formatName: info.formatName },
    });
  }
  const targetHeight = options.height ?? DEFAULT_HEIGHT;
  const crf = options.crf ?? DEFAULT_CRF;
  const preset = options.preset ?? DEFAULT_PRESET;
  checkOptions(targetHeight, crf, preset);

  const shown = displaySize(video.width, video.height, video.rotation);
  const fitted = fitSize(shown, targetHeight, options.upscale);
  const blocker = remuxBlocker(info, targetHeight, options);
  const remux = {
    mode: 'remux' as const,
    videoTag: video.codec === 'hevc' ? ('hvc1' as const) : undefined,
    hasAudio: info.audio !== undefined,
    regenerateTimestamps: info.formatName.split(',').includes('avi'),
  };
  if (blocker === undefined) {
    return { ...remux, reason: `${video.codec} video${info.audio ? ' with AAC audio' : ''} fits as is` };
  }
  // Only the sound is in the way: keep the picture lossless and convert the audio alone.
  if (
    info.audio &&
    remuxBlocker({ ...info, audio: { ...info.audio, codec: 'aac' } }, targetHeight, options) === undefined
  ) {
    return {
      ...remux,
      reason: `${video.codec} video fits as is; ${info.audio.codec} audio becomes AAC`,
      audioToAacK: aacBitrateK(info.audio.channels),
    };
  }
  const audio: AudioPlan = !info.audio ? 'none' : info.audio.codec === 'aac' ? 'copy' : 'aac';
  return {
    mode: 'transcode',
    reason: blocker,
    crf,
    preset,
    scaleTo: fitted.width === shown.width && fitted.height === shown.height ? undefined : fitted,
    audio,
    audioBitrateK: audio === 'aac' ? aacBitrateK(info.audio?.channels) : undefined,
  };
}

/** The first reason a stream copy would not give a good MP4, or undefined when it would. */
export function remuxBlocker(
  info: MediaInfo,
  targetHeight: number,
  options: LocalOptions = {},
): string | undefined {
  const video = info.video;
  if (!video) return 'no video stream';
  const shown = displaySize(video.width, video.height, video.rotation);
  if (options.forceTranscode) return 'the rule asks for a transcode';
  const pixFmts = REMUXABLE_PIX_FMTS[video.codec];
  if (!pixFmts) return `video codec ${video.codec} is not H.264 or HEVC`;
  if (video.pixFmt && !pixFmts.includes(video.pixFmt)) {
    return `pixel format ${video.pixFmt} does not play everywhere`;
  }
  if (info.audio && info.audio.codec !== 'aac') return `audio codec ${info.audio.codec} is not AAC`;
  // Odd sizes are fine here: MP4 and H.264 store them; only the yuv420p encoder needs even ones.
  if (shown.height > targetHeight) return `height ${shown.height} is above the target ${targetHeight}`;
  if (options.upscale && shown.height < targetHeight) {
    return `upscaling from ${shown.height} to ${targetHeight} was asked for`;
  }
  return undefined;
}

/** Enough for transparent AAC: 192k for stereo, 64k more per extra channel. */
export function aacBitrateK(channels = 2): number {
  return channels <= 2 ? 192 : 64 * channels;
}

function checkOptions(height: number, crf: number, preset: string): void {
  const problems: string[] = [];
  if (!Number.isInteger(height) || height < 2) problems.push(`height ${height} is not a positive integer`);
  if (!Number.isFinite(crf) || crf < 0 || crf > 51) problems.push(`crf ${crf} is outside 0–51`);
  if (!(X264_PRESETS as readonly string[]).includes(preset)) problems.push(`preset "${preset}" is unknown`);
  if (problems.length > 0) {
    throw new VideoInboxError('CONFIG_INVALID', `Local engine options: ${problems.join('; ')}`, {
      hint: `Use a height like 1080, a crf from 0 (lossless) to 51, and a preset among ${X264_PRESETS.join(', ')}.`,
    });
  }
}
