import { scaleBytes } from '../core/byte-size.js';
import { dirname } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';

const MIB = 1024 * 1024;

/**
 * Room kept free beyond the file itself: the journal, logs and the rest of the system need some, and
 * a disk filled to the last byte fails in ways that are hard to explain.
 */
export function freeSpaceMargin(neededBytes: number): number {
  return Math.max(64 * MIB, Math.ceil(neededBytes * 0.05));
}

/** Bytes missing for `neededBytes` plus the margin; 0 when there is room. */
export function freeSpaceShortfall(freeBytes: number, neededBytes: number, marginBytes: number): number {
  return Math.max(0, neededBytes + marginBytes - freeBytes);
}

export function formatBytes(bytes: number): string {
  const { value, unit } = scaleBytes(bytes);
  return `${unit === 'B' ? value : value.toFixed(1)} ${unit}`;
}

/**
 * Throws DISK_FULL (retryable, with a hint) unless `dir`'s file system has `neededBytes` plus a margin
 * free. A folder not created yet is measured at its nearest existing parent.
 */
export async function ensureFreeSpace(
  dir: string,
  neededBytes: number,
  opts: { fs: OutboxFs; marginBytes?: number },
): Promise<void> {
  const { fs } = opts;
  const margin = opts.marginBytes ?? freeSpaceMargin(neededBytes);
  const { bavail, bsize } = await statfsExisting(fs, dir);
  const free = bavail * bsize;
  const missing = freeSpaceShortfall(free, neededBytes, margin);
  if (missing === 0) return;
  throw new VideoInboxError(
    'DISK_FULL',
    `Not enough free space in ${dir}: ${formatBytes(neededBytes)} needed (plus ${formatBytes(margin)} to spare), ${formatBytes(free)} free`,
    {
      hint: `Free at least ${formatBytes(missing)} on the disk that holds ${dir}, then run \`video-inbox retry --failed\`.`,
      context: { dir, neededBytes, freeBytes: free, marginBytes: margin },
      retryable: true,
    },
  );
}

async function statfsExisting(fs: OutboxFs, dir: string): Promise<{ bavail: number; bsize: number }> {
  let current = dir;
  for (;;) {
    try {
      return await fs.statfs(current);
    } catch (err) {
      const parent = dirname(current);
      if (errnoCode(err) !== 'ENOENT' || parent === current) throw err;
      current = parent;
    }
  }
}
