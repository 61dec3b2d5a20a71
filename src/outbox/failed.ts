import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { toVideoInboxError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ensureSubfolderUsable } from './blocked-folder.js';
import { errorReportText } from './error-report.js';
import { errorReportName } from '../core/fit-name.js';
import { FAILED_DIR, inboxSubfolderTarget } from './inbox-subfolder.js';
import { moveNoClobber } from './move.js';
import type { ReservedName } from '../domain/job.js';
import type { OutboxFs } from './outbox-fs.js';
import { checkReservation } from './placed-output.js';

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
  const note = reservationNote(dir, source);
  // Two set-asides of one source at once (a cancel sent twice) may clear each other's empty
  // reservation here; the loser's rename then finds the source gone, and its clean-up removes only
  // an empty file (move.ts), so the video stays whole at the winner's name.
  await clearKilledReservation(fs, note);
  let noted = false;
  const moved = await moveNoClobber(fs, source, dir, name, {
    // The note is a help, not a condition: a set-aside it cannot be written for goes on without it.
    onReserved: async (path, file) => {
      noted = await writeFileAtomic(fs, note, JSON.stringify({ path, ...file })).then(
        () => true,
        () => false,
      );
    },
  })
    .catch((err: unknown) => {
      throw toVideoInboxError(err);
    })
    .finally(() => (noted ? fs.unlink(note).catch(() => undefined) : undefined));
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

/**
 * On an inbox without hard links the name in `_failed/` is reserved with an empty file and the source
 * renamed over it; the reservation (name, the source's size and mtime) is noted beside it until the
 * rename is done. A set-aside killed in between leaves the note, which the same source's next
 * set-aside finds: its own empty reservation goes, so no empty file is left looking like the user's
 * video and the source keeps its own name. The note is named after the source's path.
 */
function reservationNote(dir: string, source: string): string {
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return join(dir, `.video-inbox-aside-${key}.json`);
}

/** Acts on a note a killed set-aside left (see reservationNote), then removes it. */
async function clearKilledReservation(fs: OutboxFs, note: string): Promise<void> {
  let text: string;
  try {
    text = await fs.readText(note);
  } catch {
    // None (the usual case), or unreadable: either way there is nothing to act on.
    return;
  }
  const reserved = parseReserved(text);
  // Only an empty file where a non-empty source was to go is removed; anything else is left alone.
  if (reserved && dirname(reserved.path) === dirname(note)) await checkReservation(reserved, fs);
  await fs.unlink(note).catch(() => undefined);
}

function parseReserved(text: string): ReservedName | undefined {
  try {
    const v = JSON.parse(text) as { path?: unknown; size?: unknown; mtimeMs?: unknown };
    if (typeof v.path === 'string' && typeof v.size === 'number' && typeof v.mtimeMs === 'number')
      return { path: v.path, size: v.size, mtimeMs: v.mtimeMs };
  } catch {
    // A note cut short by the kill: nothing is known, so nothing is removed.
  }
  return undefined;
}
