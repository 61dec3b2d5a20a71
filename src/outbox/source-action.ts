import { dirname } from 'node:path';
import type { AfterAction, ReservedName, SourceIdentity } from '../domain/job.js';
import { toVideoInboxError } from '../core/errors.js';
import { fsyncDir } from '../core/fsync.js';
import { ensureSubfolderUsable } from './blocked-folder.js';
import { DONE_DIR, inboxSubfolderTarget } from './inbox-subfolder.js';
import { moveNoClobber, type MoveOptions } from './move.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';
import { checkReservation } from './placed-output.js';
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
  /**
   * On an inbox without hard links, the archive name an earlier run of this job reserved in `_done/`
   * (see JobRecord.reservedArchive): its empty reservation goes before the source is archived, and a
   * source found gone is known to be there when the file there is the one renamed.
   */
  reserved?: ReservedName;
  /** See MoveOptions.onReserved: the archive name reserved, before the source is renamed over it. */
  onReserved?: MoveOptions['onReserved'];
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
  // Gone already: an interrupted run finished this step before recording it (and maybe said where).
  const gone = async () =>
    action === 'archive' && opts.reserved && (await checkReservation(opts.reserved, fs)) === 'renamed'
      ? opts.reserved.path
      : undefined;
  try {
    if (action === 'keep') {
      await fs.stat(source);
      return source;
    }
    if (opts.expect !== undefined) {
      const ports = { stat: (p: string) => fs.stat(p), hashFile: opts.hashFile };
      const identity = await checkIdentity(ports, source, opts.expect);
      if (identity === 'gone') return await gone();
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
    if (opts.reserved) await checkReservation(opts.reserved, fs);
    const { dir, name } = inboxSubfolderTarget(source, inboxDir, DONE_DIR);
    return await moveNoClobber(fs, source, dir, name, { onReserved: opts.onReserved });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && !(await exists(fs, source))) return await gone();
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
