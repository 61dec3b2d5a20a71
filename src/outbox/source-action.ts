import { dirname } from 'node:path';
import type { AfterAction, SourceIdentity } from '../domain/job.js';
import { toVideoInboxError } from '../core/errors.js';
import { fsyncDir } from '../core/fsync.js';
import { ensureSubfolderUsable } from './blocked-folder.js';
import { DONE_DIR, inboxSubfolderTarget } from './inbox-subfolder.js';
import { moveNoClobber } from './move.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';
import { checkIdentity } from './source-identity.js';

export interface AfterActionOptions {
  fs: OutboxFs;
  /**
   * The source as the job took it. A source that is another file or other bytes since (a user saved
   * over it, or renamed another file over it, while it converted; same size and `touch -r` mtime
   * included) is new content: it is kept, whatever the action, for its own job. See checkIdentity.
   */
  expect?: SourceIdentity;
  /** The content hash, for when the stamps leave it in doubt; without it a doubtful source is kept. */
  hashFile?: (path: string) => Promise<string>;
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
    if (action === 'keep') {
      await fs.stat(source);
      return source;
    }
    if (opts.expect !== undefined) {
      const ports = { stat: (p: string) => fs.stat(p), hashFile: opts.hashFile };
      const identity = await checkIdentity(ports, source, opts.expect);
      if (identity === 'gone') return undefined;
      if (identity === 'changed') return source;
    } else {
      await fs.stat(source);
    }
    if (action === 'delete') {
      await fs.unlink(source);
      await fsyncDir(dirname(source));
      return undefined;
    }
    await ensureSubfolderUsable(fs, inboxDir, DONE_DIR);
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
