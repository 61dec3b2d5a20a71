import { BYTES_PER_MB, type FileFacts } from './file-facts.js';
import { matchesGlobs } from './match.js';
import type { Conditions } from './rule.js';

/**
 * Whether every condition holds. A condition on a probe field the file lacks (no ffprobe, no video
 * stream) does not hold: an exception meant for 4K HEVC must not catch files nobody could inspect.
 */
export function conditionsHold(c: Conditions, f: FileFacts): boolean {
  const sizeMB = f.sizeBytes / BYTES_PER_MB;
  return (
    (c.match === undefined || matchesGlobs(c.match, f.name)) &&
    oneOf(c.codec, f.codec) &&
    oneOf(c.audioCodec, f.audioCodec) &&
    within(f.width, c.minWidth, c.maxWidth) &&
    within(f.height, c.minHeight, c.maxHeight) &&
    within(f.durationSec, c.minDuration, c.maxDuration) &&
    within(sizeMB, c.minSizeMB, c.maxSizeMB)
  );
}

function oneOf(allowed: string[] | undefined, value: string | undefined): boolean {
  return allowed === undefined || (value !== undefined && allowed.includes(value));
}

function within(value: number | undefined, min: number | undefined, max: number | undefined): boolean {
  if (min === undefined && max === undefined) return true;
  if (value === undefined) return false;
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}
