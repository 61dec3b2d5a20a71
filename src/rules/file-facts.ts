import { basename, extname } from 'node:path';
import type { MediaInfo } from '../domain/media.js';
import { scaleBytes } from '../core/byte-size.js';

/** The file a job is about: what the watcher knows, plus ffprobe's answer when it has one. */
export interface JobFile {
  path: string;
  sizeBytes: number;
  media?: MediaInfo;
}

export const BYTES_PER_MB = 1024 * 1024;

/** What rule conditions and templates read, derived once from a JobFile. */
export interface FileFacts {
  name: string;
  stem: string;
  /** Without the dot, as written ("AVI" stays "AVI"). */
  ext: string;
  sizeBytes: number;
  durationSec?: number;
  /** As displayed: a phone video recorded rotated by 90° reports its sides swapped back. */
  width?: number;
  height?: number;
  codec?: string;
  /** "none" when the file has no audio stream; undefined when it was not probed. */
  audioCodec?: string;
}

export function fileFacts(file: JobFile): FileFacts {
  const name = basename(file.path);
  const dotExt = extname(name);
  const video = file.media?.video;
  const quarterTurn = video?.rotation !== undefined && Math.abs(video.rotation) % 180 === 90;
  return {
    name,
    stem: dotExt ? name.slice(0, -dotExt.length) : name,
    ext: dotExt.slice(1),
    sizeBytes: file.sizeBytes,
    durationSec: file.media?.durationSec,
    width: video ? (quarterTurn ? video.height : video.width) : undefined,
    height: video ? (quarterTurn ? video.width : video.height) : undefined,
    codec: video?.codec.toLowerCase(),
    audioCodec: file.media ? (file.media.audio?.codec.toLowerCase() ?? 'none') : undefined,
  };
}

/** "734 KB", "12.4 MB", "1.2 GB": a size an instruction can quote. */
export function formatSize(bytes: number): string {
  const { value, unit } = scaleBytes(bytes);
  return `${unit === 'B' ? value : round1(value)} ${unit}`;
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** YYYY-MM-DD in local time: the date a person sees on their clock. */
export function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
