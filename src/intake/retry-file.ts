import { basename, dirname, join, relative, sep } from 'node:path';
import type { Clock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import { errorReportName } from '../core/fit-name.js';
import type { Config } from '../config/config.js';
import { folderFor } from '../config/folder-for.js';
import { DONE_DIR, FAILED_DIR } from '../outbox/inbox-subfolder.js';
import { moveNoClobber } from '../outbox/move.js';
import { errnoCode, type OutboxFs } from '../outbox/outbox-fs.js';
import type { RetryMarks } from './retry-marks.js';

/** The ports `retryFile` needs; the CLI and the daemon build them from the same adapters. */
export interface RetryFileDeps {
  fs: OutboxFs;
  marks: RetryMarks;
  clock: Clock;
  /** The file's content hash (the key of its retry mark). */
  hash(file: string): Promise<string>;
  /** Sets the file's mtime to `at`, so the watcher offers a kept source again. */
  touch(file: string, at: Date): Promise<void>;
  /**
   * Cluster mode: the cluster forgets the content was converted (its record is in Redis, not in this
   * node's state dir), so whichever node finds the file converts it. Throws while Redis is away: the
   * file then stays where it is.
   */
  forget?(contentHash: string): Promise<void>;
}

/**
 * The retry use case, whoever asks (`video-inbox retry`, `POST /api/jobs/:id/retry`): puts one file
 * back in front of the daemon and marks its content so it is converted even if it was done before.
 * Returns the line to show.
 */
export async function retryFile(config: Config, file: string, deps: RetryFileDeps): Promise<string> {
  const folder = folderFor(config, file);
  if (!folder) {
    throw new VideoInboxError('CONFIG_INVALID', `${file} is not inside any configured inbox`, {
      hint: 'Copy the file into an inbox folder instead; it will be converted if it was never done.',
    });
  }
  const hash = await deps.hash(file);
  if (deps.forget) await deps.forget(hash);
  else await deps.marks.add(hash);
  const [top, ...rest] = relative(folder.inbox, file).split(sep);
  if (top === FAILED_DIR || top === DONE_DIR) {
    const target = join(folder.inbox, dirname(rest.join(sep)));
    const placed = await moveNoClobber(deps.fs, file, target, basename(file));
    if (top === FAILED_DIR)
      await removeIfThere(deps.fs, join(dirname(file), errorReportName(basename(file))));
    return `${file} → ${placed}`;
  }
  // Already in the inbox (a kept source): a new mtime makes the watcher offer it again.
  await deps.touch(file, new Date(deps.clock.now()));
  return `${file} marked for another conversion`;
}

async function removeIfThere(fs: OutboxFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
