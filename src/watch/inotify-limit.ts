import { readFile } from 'node:fs/promises';

/** inotify needs one watch per directory; the limit is per user, shared with every other program. */
export async function readInotifyLimit(
  path = '/proc/sys/fs/inotify/max_user_watches',
): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface InotifyAdvice {
  directories: number;
  limit: number;
  suggested: number;
  hint: string;
}

/**
 * Advice when the inboxes' directories take half the limit or more: other programs (editors, sync
 * clients) use watches too, so "close" is well before "over".
 */
export function inotifyAdvice(directories: number, limit: number | undefined): InotifyAdvice | undefined {
  if (limit === undefined || directories * 2 < limit) return undefined;
  const suggested = suggestedLimit(directories, limit);
  return { directories, limit, suggested, hint: raiseLimitHint(suggested) };
}

/** A limit with room for the inboxes four times over and at least double the current one. */
export function suggestedLimit(directories: number, limit: number | undefined): number {
  let suggested = 524_288;
  while (suggested < directories * 4 || (limit !== undefined && suggested < limit * 2)) suggested *= 2;
  return suggested;
}

export function raiseLimitHint(suggested: number): string {
  return (
    `Raise the limit: sudo sysctl fs.inotify.max_user_watches=${suggested} (to keep it after a reboot, put ` +
    `fs.inotify.max_user_watches=${suggested} in /etc/sysctl.d/90-video-inbox.conf), or set poll: true on large inboxes.`
  );
}
