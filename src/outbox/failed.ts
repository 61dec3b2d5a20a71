import { basename, dirname, join } from 'node:path';
import { toVideoInboxError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ensureSubfolderUsable } from './blocked-folder.js';
import { errorReportText } from './error-report.js';
import { errorReportName } from '../core/fit-name.js';
import { FAILED_DIR, inboxSubfolderTarget } from './inbox-subfolder.js';
import { moveNoClobber } from './move.js';
import type { OutboxFs } from './outbox-fs.js';

/**
 * Moves a source that cannot be done to `<inbox>/_failed/` (numbered on collision, never replacing
 * anything) and writes `<name>.error.txt` beside it, so a failed file never vanishes and its reason is
 * where the user looks. Returns the source's new path.
 */
export async function setAside(
  source: string,
  inboxDir: string,
  error: { code: string; message: string; hint?: string },
  /** `config`: the daemon's config when not the default, named in the report's commands. */
  opts: { fs: OutboxFs; now: Date; config?: string },
): Promise<string> {
  const { fs } = opts;
  await ensureSubfolderUsable(fs, inboxDir, FAILED_DIR);
  const { dir, name } = inboxSubfolderTarget(source, inboxDir, FAILED_DIR);
  const moved = await moveNoClobber(fs, source, dir, name).catch((err: unknown) => {
    throw toVideoInboxError(err);
  });
  const report = errorReportText({
    fileName: basename(source),
    failedPath: moved,
    ...error,
    at: opts.now,
    config: opts.config,
  });
  // Whole or absent, never half a report.
  try {
    await writeFileAtomic(fs, join(dirname(moved), errorReportName(basename(moved))), report);
  } catch (err) {
    // The file is in _failed/ already: say so, so nobody reports it as still in the inbox.
    const e = toVideoInboxError(err);
    e.context.setAsideTo = moved;
    throw e;
  }
  return moved;
}
