import { joinSentences } from '../core/sentences.js';
import { join } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../notify/notifier.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';

/**
 * Throws FOLDER_BLOCKED when `<inbox>/<sub>` (`_done`, `_failed`) exists but is not a folder: a file
 * of that name would make every move into it fail (EEXIST) at every try, forever.
 */
export async function ensureSubfolderUsable(fs: OutboxFs, inboxDir: string, sub: string): Promise<void> {
  const path = join(inboxDir, sub);
  try {
    if ((await fs.stat(path)).isDirectory()) return;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  throw new VideoInboxError(
    'FOLDER_BLOCKED',
    `${path} is a file, not a folder, so nothing can be moved into ${sub}/`,
    {
      hint: `Rename or move the file ${path}: video-inbox keeps a folder of that name. Until then sources stay in the inbox (outputs are still made); they are moved at the next start.`,
      context: { path },
    },
  );
}

/** Says once per blocked path (a log line and a notification) what is wrong and what to do. */
export function blockedFolderReporter(log: Logger, notifier: Notifier) {
  const reported = new Set<string>();
  return {
    /** Returns whether `err` was FOLDER_BLOCKED (then reported, once per path). */
    report(err: VideoInboxError): boolean {
      if (err.code !== 'FOLDER_BLOCKED') return false;
      const path = String(err.context.path);
      if (reported.has(path)) return true;
      reported.add(path);
      log.warn({ code: err.code, path, hint: err.hint }, err.message);
      notifier.notify({
        kind: 'failed',
        title: 'video-inbox cannot move sources',
        message: joinSentences(err.message, err.hint),
      });
      return true;
    },
  };
}

export type BlockedFolderReporter = ReturnType<typeof blockedFolderReporter>;
