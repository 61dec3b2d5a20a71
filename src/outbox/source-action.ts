import { dirname } from 'node:path';
import type { AfterAction } from '../domain/job.js';
import { toVideoInboxError } from '../core/errors.js';
import { fsyncDir } from '../core/fsync.js';
import { DONE_DIR, inboxSubfolderTarget } from './inbox-subfolder.js';
import { moveNoClobber } from './move.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';

export interface AfterActionOptions {
  fs: OutboxFs;
  /**
   * The source as the job took it. A source whose size or mtime differs since is new content (a
   * user saved over it while it converted): it is kept, whatever the action, for its own job.
   */
  expect?: { size: number; mtimeMs: number };
}

/**
 * What happens to a source once its output is placed and verified (never before: see `deliver`).
 * Returns where the source is now: its path in `<inbox>/_done/` (numbered on collision), its own
 * path when kept (also when it changed since the job took it, see `expect`), undefined when
 * deleted or when it was already gone (an interrupted run finished this step before recording it).
 */
export async function applyAfterAction(
  source: string,
  inboxDir: string,
  action: AfterAction,
  opts: AfterActionOptions,
): Promise<string | undefined> {
  const { fs } = opts;
  try {
    const now = await fs.stat(source);
    const changed =
      opts.expect !== undefined && (now.size !== opts.expect.size || now.mtimeMs !== opts.expect.mtimeMs);
    if (action === 'keep' || changed) return source;
    if (action === 'delete') {
      await fs.unlink(source);
      await fsyncDir(dirname(source));
      return undefined;
    }
    const { dir, name } = inboxSubfolderTarget(source, inboxDir, DONE_DIR);
    return await moveNoClobber(fs, source, dir, name);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && !(await exists(fs, source))) return undefined;
    throw toVideoInboxError(err);
  }
}

async function exists(fs: OutboxFs, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}
