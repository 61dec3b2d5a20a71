import { VideoInboxError } from '../../core/errors.js';
import type { LocalOptions } from '../../domain/work.js';
import type { MediaInfo } from '../../domain/media.js';
import {
  audioViolations,
  contractBox,
  displayedSize,
  fitIntoBox,
  isHdr,
  videoViolations,
  type Size,
  type VideoFacts,
} from './mp4-contract.js';

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

/** Colour tags written on the output (names as ffmpeg's -color_primaries/-color_trc/-colorspace take). */
export interface ColourTags {
  primaries?: string;
  transfer?: string;
  space?: string;
}

/** What this ffmpeg can do that changes the plan (asked once, like its version). */
export interface PlanCapabilities {
  /** zscale and tonemap filters: HDR becomes SDR with a real tone map. */
  toneMap: boolean;
}

export type ConversionPlan =
  | {
      mode: 'remux';
      /** Why a copy is safe, for the job log. */
      reason: string;
      /** HEVC (kept with `keepHevc`) must be tagged hvc1 or Apple players refuse the file. */
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
      /** Output size as displayed (square pixels); undefined when the picture keeps its size. */
      scaleTo?: Size;
      /**
       * The video filter chain in order (deinterlace, scale to square pixels, tone map); empty when
       * the picture goes to the encoder as decoded (ffmpeg has already turned it upright).
       */
      filters?: string[];
      /** Tags for the output's colour; undefined ones stay unset. */
      colour?: ColourTags;
      /** How HDR was handled, for the job log: a real tone map, or the plain 8-bit fallback. */
      hdr?: 'tonemap' | 'fallback';
      audio: AudioPlan;
      audioBitrateK?: number;
    };

/** Remux when the source already meets the MP4 contract (the audio may still become AAC); else transcode. */
export function planConversion(
  info: MediaInfo,
  options: LocalOptions = {},
  caps: PlanCapabilities = { toneMap: false },
): ConversionPlan {
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

  const shown = displayedSize(video);
  const fitted = fitIntoBox(shown, contractBox(targetHeight), options.upscale);
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
  const sameSize = fitted.width === shown.width && fitted.height === shown.height;
  const squarePixels = (video.sampleAspect ?? 1) === 1;
  const scaleTo = sameSize && squarePixels ? undefined : fitted;
  const hdr = isHdr(video) ? (caps.toneMap ? 'tonemap' : 'fallback') : undefined;
  return {
    mode: 'transcode',
    reason: blocker,
    crf,
    preset,
    scaleTo,
    filters: videoFilters(video, scaleTo, hdr),
    colour: hdr ? { primaries: 'bt709', transfer: 'bt709', space: 'bt709' } : sdrTags(video),
    hdr,
    audio,
    audioBitrateK: audio === 'aac' ? aacBitrateK(info.audio?.channels) : undefined,
  };
}

const INTERLACED = ['tt', 'bb', 'tb', 'bt'];

/**
 * Deinterlace (DV, DVD, AVCHD 1080i: combing on every progressive screen), scale to the fitted size
 * with square pixels, then turn HDR into SDR. ffmpeg rotates the picture upright before these run.
 */
function videoFilters(
  video: VideoFacts,
  scaleTo: Size | undefined,
  hdr: 'tonemap' | 'fallback' | undefined,
): string[] {
  const filters: string[] = [];
  if (INTERLACED.includes(video.fieldOrder ?? '')) filters.push('bwdif=mode=send_frame:deint=interlaced');
  if (scaleTo) {
    const matrix = hdr === 'fallback' ? ':out_color_matrix=bt709' : '';
    filters.push(`scale=${scaleTo.width}:${scaleTo.height}${matrix}`, 'setsar=1');
  } else if (hdr === 'fallback') {
    filters.push('scale=out_color_matrix=bt709');
  }
  if (hdr === 'tonemap') {
    // Linear light, BT.709 primaries, Hable's curve (keeps highlights), back to BT.709 video levels.
    const tin = video.colorTransfer === 'arib-std-b67' ? 'arib-std-b67' : 'smpte2084';
    filters.push(
      `zscale=tin=${tin}:pin=2020:min=2020_ncl:t=linear:npl=100`,
      'format=gbrpf32le',
      'zscale=p=bt709',
      'tonemap=tonemap=hable:desat=0',
      'zscale=t=bt709:m=bt709:r=tv',
      'format=yuv420p',
    );
  }
  return filters;
}

/** YUV matrices; an RGB source's "gbr" (or any other) would make x264 refuse the yuv420p output. */
const YUV_MATRICES = ['bt709', 'smpte170m', 'bt470bg', 'smpte240m', 'bt2020nc', 'fcc'];

/** The source's own tags, kept so colours look the same (DV and DVD are BT.601, HD is BT.709). */
function sdrTags(video: VideoFacts): ColourTags | undefined {
  const space = YUV_MATRICES.includes(video.colorSpace ?? '') ? video.colorSpace : undefined;
  const tags = { primaries: video.colorPrimaries, transfer: video.colorTransfer, space };
  return tags.primaries || tags.transfer || tags.space ? tags : undefined;
}

/** The first reason a stream copy would not meet the MP4 contract, or undefined when it would. */
export function remuxBlocker(
  info: MediaInfo,
  targetHeight: number,
  options: LocalOptions = {},
): string | undefined {
  const video = info.video;
  if (!video) return 'no video stream';
  if (options.forceTranscode) return 'the rule asks for a transcode';
  const violation = [
    ...videoViolations(video, { height: targetHeight, keepHevc: options.keepHevc }),
    ...audioViolations(info.audio),
  ][0];
  if (violation) return violation.message;
  const shown = displayedSize(video);
  const fitted = fitIntoBox(shown, contractBox(targetHeight), options.upscale);
  if (options.upscale && (fitted.width > shown.width || fitted.height > shown.height)) {
    return `upscaling from ${shown.width}x${shown.height} to ${fitted.width}x${fitted.height} was asked for`;
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
  // CRF 0 is lossless, which x264 writes as High 4:4:4 Predictive: outside the contract.
  if (!Number.isFinite(crf) || crf < 1 || crf > 51) problems.push(`crf ${crf} is outside 1–51`);
  if (!(X264_PRESETS as readonly string[]).includes(preset)) problems.push(`preset "${preset}" is unknown`);
  if (problems.length > 0) {
    throw new VideoInboxError('CONFIG_INVALID', `Local engine options: ${problems.join('; ')}`, {
      hint: `Use a height like 1080, a crf from 1 (best) to 51, and a preset among ${X264_PRESETS.join(', ')}.`,
    });
  }
}
