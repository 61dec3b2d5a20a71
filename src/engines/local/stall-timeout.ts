const BASE_MS = 10 * 60_000;
/** A slow share or USB disk: the slowest rate at which we still expect ffmpeg to get through a file. */
const SLOW_BYTES_PER_MS = 10_000; // 10 MB/s

/**
 * How long ffmpeg may print no progress before it counts as hung. ffmpeg is silent while it moves
 * the index to the front (+faststart), which rewrites the whole output: a large file on a slow disk
 * needs minutes of silence that are not a hang.
 */
export function stallTimeoutFor(sizeBytes: number): number {
  const size = Number.isFinite(sizeBytes) && sizeBytes > 0 ? sizeBytes : 0;
  return BASE_MS + Math.ceil(size / SLOW_BYTES_PER_MS);
}
