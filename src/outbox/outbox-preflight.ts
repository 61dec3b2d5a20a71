import { join } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import { ensureFreeSpace } from './free-space.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';

/**
 * Checked before any paid or long step (upload, render, transcode): the output folder exists (it and
 * its parents are created when missing), a file can be created in it, and its disk has room for the
 * output. A failure names the user's folder and what to do, never an internal temp name, so nothing
 * is paid for that could not be saved.
 */
export async function preflightOutbox(
  dir: string,
  neededBytes: number,
  opts: { fs: OutboxFs; probeName: string },
): Promise<void> {
  const { fs } = opts;
  try {
    await fs.mkdir(dir);
  } catch (err) {
    throw unwritable(dir, err, 'cannot be created');
  }
  const probe = join(dir, opts.probeName);
  try {
    await fs.createExclusive(probe);
  } catch (err) {
    if (errnoCode(err) === 'ENOSPC') throw unwritable(dir, err, 'is on a full disk');
    if (errnoCode(err) !== 'EEXIST') throw unwritable(dir, err, 'cannot be written to');
  }
  await fs.unlink(probe).catch(() => undefined);
  await ensureFreeSpace(dir, neededBytes, { fs });
}

function unwritable(dir: string, cause: unknown, what: string): VideoInboxError {
  const code = errnoCode(cause);
  const why =
    code === 'ENOTDIR' || code === 'EEXIST'
      ? ': part of its path is a file, not a folder'
      : code === 'EACCES' || code === 'EPERM'
        ? ': permission denied'
        : code === 'EROFS'
          ? ': the disk is read-only'
          : code
            ? ` (${code})`
            : '';
  return new VideoInboxError('OUTBOX_UNWRITABLE', `The output folder ${dir} ${what}${why}`, {
    cause,
    context: { dir },
    hint: `Nothing was uploaded or converted. Choose an output folder you can write to (or fix ${dir}), then try again.`,
    retryable: true,
  });
}
