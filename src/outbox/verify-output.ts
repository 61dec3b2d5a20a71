import { FfmpegError, VideoInboxError } from '../core/errors.js';
import type { MediaInfo } from '../domain/media.js';
import { probeMedia } from '../engines/local/probe.js';

/** How far an output's duration may stray from the expected one: 1 s or 5 %, whichever is larger. */
export function durationTolerance(expectedSec: number): number {
  return Math.max(1, expectedSec * 0.05);
}

/** Why `info` is not a playable MP4 of the expected duration, or undefined when it is one. */
export function outputProblem(info: MediaInfo, expectedDurationSec?: number): string | undefined {
  if (info.sizeBytes === 0) return 'the file is empty';
  const formats = info.formatName.split(',');
  if (!formats.includes('mp4') && !formats.includes('mov'))
    return `it is not an MP4 (format: ${info.formatName})`;
  if (!info.video) return 'it has no video stream';
  if (expectedDurationSec === undefined) return undefined;
  if (info.durationSec === undefined) return 'its duration cannot be read';
  if (Math.abs(info.durationSec - expectedDurationSec) > durationTolerance(expectedDurationSec)) {
    return `it lasts ${info.durationSec.toFixed(1)} s where about ${expectedDurationSec.toFixed(1)} s was expected`;
  }
  return undefined;
}

/**
 * Throws OUTPUT_INVALID unless `path` is a playable MP4 (and of the expected duration, when given).
 * A missing ffprobe is FFMPEG_MISSING: the output may be fine, it just cannot be checked.
 */
export async function verifyOutput(
  path: string,
  opts: { expectedDurationSec?: number; ffprobe?: string; signal?: AbortSignal } = {},
): Promise<MediaInfo> {
  let info: MediaInfo;
  try {
    info = await probeMedia(path, opts.ffprobe, opts.signal);
  } catch (err) {
    if (err instanceof FfmpegError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new VideoInboxError('FFMPEG_MISSING', 'ffprobe was not found, so the output cannot be checked', {
        cause: err,
        hint: 'Install ffmpeg (it includes ffprobe) or set its path in the config, then retry.',
      });
    }
    throw invalid(path, err instanceof FfmpegError ? 'ffprobe cannot read it' : 'it cannot be read', err);
  }
  const problem = outputProblem(info, opts.expectedDurationSec);
  if (problem) throw invalid(path, problem);
  return info;
}

function invalid(path: string, why: string, cause?: unknown): VideoInboxError {
  return new VideoInboxError('OUTPUT_INVALID', `The converted file is not usable: ${why}`, {
    cause,
    context: { path },
    hint: 'The source was left untouched. Run `video-inbox retry <file>` to convert it again; if it keeps failing, report it with the file type.',
    retryable: true,
  });
}
