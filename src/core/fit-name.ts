import { createHash } from 'node:crypto';
import { extname } from 'node:path';

/** The longest file name most file systems take (ext4, XFS, Btrfs, APFS): 255 bytes. */
export const NAME_MAX_BYTES = 255;

/** An extension longer than this is treated as part of the name (it is not one a player knows). */
const MAX_EXT_BYTES = 16;

export interface FitParts {
  /** Put before the name (a hidden temp's leading dot). */
  prefix?: string;
  /** Put between the name's stem and its extension (` (1)`). */
  infix?: string;
  /** Put after the whole name (`.error.txt`, `.1a2b3c4d.tmp`). */
  suffix?: string;
  maxBytes?: number;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The one way a name is derived from a user's file name: `prefix + stem + infix + ext + suffix`,
 * kept within `maxBytes` (UTF-8 bytes, NAME_MAX). When it is too long the stem is cut at a character
 * boundary (never inside a UTF-8 sequence or a surrogate pair) and marked with `~` and 8 hex digits of
 * the whole original name, so two long names that share their beginning still get different derived
 * names; the extension, infix and suffix are always kept. Pure.
 */
export function fitName(name: string, parts: FitParts = {}): string {
  const { prefix = '', infix = '', suffix = '', maxBytes = NAME_MAX_BYTES } = parts;
  let ext = extname(name);
  if (ext === name || bytes(ext) > MAX_EXT_BYTES) ext = '';
  const stem = ext ? name.slice(0, -ext.length) : name;
  const whole = `${prefix}${stem}${infix}${ext}${suffix}`;
  if (bytes(whole) <= maxBytes) return whole;
  const mark = `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  const room = maxBytes - bytes(prefix + mark + infix + ext + suffix);
  if (room < 0) throw new RangeError(`No room for a name within ${maxBytes} bytes`);
  let kept = '';
  let used = 0;
  for (const ch of stem) {
    const n = bytes(ch);
    if (used + n > room) break;
    kept += ch;
    used += n;
  }
  return `${prefix}${kept}${mark}${infix}${ext}${suffix}`;
}

/** The name of the reason written beside a file set aside: `<name>.error.txt`, within NAME_MAX. */
export function errorReportName(name: string): string {
  return fitName(name, { suffix: '.error.txt' });
}
