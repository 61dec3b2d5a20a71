import type { MediaInfo } from '../../domain/media.js';

/**
 * The MP4 every output meets, whichever engine made it ("H.264, up to 1080x1920", "MP4 for broader
 * compatibility"): H.264 8-bit yuv420p at High profile or lower, SDR, AAC when the source has sound,
 * the index (moov) before the media (mdat), and a displayed size within 1920x1080 in the video's own
 * orientation (a portrait video up to 1080x1920). With `keepHevc` HEVC 8/10-bit 4:2:0 (Main, Main 10,
 * HDR tags allowed) is accepted too. One module, used to plan (remux only when the source already
 * meets it) and to verify every output before it is placed.
 */

export const DEFAULT_SHORT_SIDE = 1080;

export interface Size {
  width: number;
  height: number;
}

/** The size box in landscape terms; a portrait video fits it turned (short × long). */
export interface Box {
  long: number;
  short: number;
}

export interface ContractOptions {
  /** The box's short side (the rule's `local.height`); the long side is 16:9 of it. Default 1080. */
  height?: number;
  /** HEVC is accepted as is (the rule's `local.keepHevc`). */
  keepHevc?: boolean;
}

export type ContractCheck =
  'container' | 'video' | 'codec' | 'pixfmt' | 'profile' | 'hdr' | 'size' | 'audio' | 'faststart';

export interface Violation {
  check: ContractCheck;
  /** A phrase that completes "The file does not meet the MP4 contract: …". */
  message: string;
}

/** What is checked on an output: the probe, plus the atom order read from the file's head. */
export interface OutputFacts extends MediaInfo {
  /** true: moov before mdat; false: mdat first; undefined: not read. */
  moovFirst?: boolean;
}

export type VideoFacts = NonNullable<MediaInfo['video']>;

const H264_PROFILES = [
  'Constrained Baseline',
  'Baseline',
  'Main',
  'High',
  'Constrained High',
  'Progressive High',
];
const HEVC_PROFILES = ['Main', 'Main 10'];
const PIX_FMTS: Record<string, readonly string[]> = {
  h264: ['yuv420p'],
  hevc: ['yuv420p', 'yuv420p10le'],
};
/** PQ (HDR10, Dolby Vision base) and HLG: shown dark or washed out by SDR players. */
export const HDR_TRANSFERS = ['smpte2084', 'arib-std-b67'] as const;

export function contractBox(height = DEFAULT_SHORT_SIDE): Box {
  return { short: height, long: Math.round((height * 16) / 9 / 2) * 2 };
}

export function isHdr(video: VideoFacts): boolean {
  return (HDR_TRANSFERS as readonly string[]).includes(video.colorTransfer ?? '');
}

/** Width and height as a player shows them: non-square pixels stretched, a quarter-turn swapped. */
export function displayedSize(video: VideoFacts): Size {
  const sar = video.sampleAspect ?? 1;
  const width = Math.round(video.width * sar);
  const quarterTurns = Math.round((video.rotation ?? 0) / 90);
  return quarterTurns % 2 === 0 ? { width, height: video.height } : { width: video.height, height: width };
}

/** The box turned to the picture's orientation: a portrait picture gets a portrait box. */
export function orientedBox(display: Size, box: Box): Size {
  return display.height > display.width
    ? { width: box.short, height: box.long }
    : { width: box.long, height: box.short };
}

export function fitsBox(display: Size, box: Box): boolean {
  const limit = orientedBox(display, box);
  return display.width <= limit.width && display.height <= limit.height;
}

/**
 * The displayed size fitted into the box, aspect kept, never larger unless `upscale` (then it touches
 * the box), both sides even (yuv420p halves the chroma planes; x264 refuses odd sizes).
 */
export function fitIntoBox(display: Size, box: Box, upscale = false): Size {
  const { width, height } = display;
  if (width <= 0 || height <= 0) throw new RangeError(`Cannot fit a ${width}x${height} picture`);
  const limit = orientedBox(display, box);
  const scale = Math.min(limit.width / width, limit.height / height, upscale ? Infinity : 1);
  // The height rounded down to even, the width from it (aspect kept), neither beyond the box.
  const outHeight = Math.max(2, floorEven(Math.min(height * scale, limit.height)));
  const outWidth = Math.max(2, Math.min(roundEven((width * outHeight) / height), floorEven(limit.width)));
  return { width: outWidth, height: outHeight };
}

function floorEven(n: number): number {
  return Math.floor(n / 2) * 2;
}

function roundEven(n: number): number {
  return Math.round(n / 2) * 2;
}

/** Why this video stream is not in the contract (empty: it is). Codec, pixels, profile, HDR, size. */
export function videoViolations(video: VideoFacts | undefined, options: ContractOptions = {}): Violation[] {
  if (!video) return [{ check: 'video', message: 'it has no video stream' }];
  const out: Violation[] = [];
  const hevcOk = options.keepHevc === true && video.codec === 'hevc';
  if (video.codec !== 'h264' && !hevcOk) {
    out.push({
      check: 'codec',
      message: `its video is ${video.codec}, not H.264${options.keepHevc ? ' or HEVC' : ''}`,
    });
    return out; // pixel format and profile only mean something for the codecs the contract takes
  }
  const pixFmts = PIX_FMTS[video.codec] ?? [];
  if (!video.pixFmt || !pixFmts.includes(video.pixFmt)) {
    out.push({
      check: 'pixfmt',
      message: `its pixel format is ${video.pixFmt ?? 'unknown'}, not ${pixFmts.join(' or ')}`,
    });
  }
  const profiles = video.codec === 'h264' ? H264_PROFILES : HEVC_PROFILES;
  if (video.profile !== undefined && !profiles.includes(video.profile)) {
    out.push({
      check: 'profile',
      message: `its ${video.codec === 'h264' ? 'H.264' : 'HEVC'} profile is ${video.profile}, above ${video.codec === 'h264' ? 'High' : 'Main 10'}`,
    });
  }
  if (!hevcOk && isHdr(video)) {
    out.push({ check: 'hdr', message: `it is HDR (${video.colorTransfer}), which SDR screens show wrongly` });
  }
  const shown = displayedSize(video);
  const box = contractBox(options.height);
  if (!fitsBox(shown, box)) {
    const limit = orientedBox(shown, box);
    out.push({
      check: 'size',
      message: `it is shown at ${shown.width}x${shown.height}, larger than ${limit.width}x${limit.height}`,
    });
  }
  return out;
}

/** Why the sound is not in the contract: AAC whenever the source had sound. */
export function audioViolations(audio: MediaInfo['audio'], sourceHadAudio?: boolean): Violation[] {
  if (audio) {
    return audio.codec === 'aac' ? [] : [{ check: 'audio', message: `its audio is ${audio.codec}, not AAC` }];
  }
  return sourceHadAudio ? [{ check: 'audio', message: 'it has no sound although the source has' }] : [];
}

/** Everything about a finished file that breaks the contract; empty when it meets it. */
export function contractViolations(
  facts: OutputFacts,
  options: ContractOptions & { sourceHadAudio?: boolean } = {},
): Violation[] {
  const formats = facts.formatName.split(',');
  const out: Violation[] = [];
  if (!formats.includes('mp4') && !formats.includes('mov')) {
    out.push({ check: 'container', message: `it is not an MP4 (format: ${facts.formatName})` });
  }
  out.push(...videoViolations(facts.video, options), ...audioViolations(facts.audio, options.sourceHadAudio));
  if (facts.moovFirst === false) {
    out.push({ check: 'faststart', message: 'its index (moov) comes after the media, so it cannot stream' });
  }
  return out;
}

export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => v.message).join('; ');
}
