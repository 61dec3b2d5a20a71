/** How an inbox looked when it was last seen present: its directory identity and the mount holding it. */
export interface InboxIdentity {
  dev: number;
  ino: number;
  /** Mount point of the file system holding the inbox, when the mount table is known. */
  mountPoint: string | undefined;
}

/**
 * - `same`: nothing changed.
 * - `recreated`: a different directory now sits at the inbox path (deleted and made again, or
 *   replaced); its watch must be rebuilt and the folder rescanned, since the old watch saw nothing.
 * - `unmounted`: the share under the inbox went away and the bare mount-point directory (or the
 *   parent file system) shows through: the inbox is missing, its files are not deleted.
 */
export type PresenceVerdict = 'same' | 'recreated' | 'unmounted';

function isStrictlyAbove(ancestor: string, path: string): boolean {
  if (ancestor === path) return false;
  if (ancestor === '/') return path.startsWith('/');
  return path.startsWith(`${ancestor}/`);
}

export function presenceVerdict(before: InboxIdentity, now: InboxIdentity): PresenceVerdict {
  if (before.dev === now.dev) return before.ino === now.ino ? 'same' : 'recreated';
  // The device changed: if the inbox now resolves to a mount *above* the one it lived on, that mount
  // is gone and we are looking at whatever lies beneath it.
  if (
    before.mountPoint !== undefined &&
    now.mountPoint !== undefined &&
    isStrictlyAbove(now.mountPoint, before.mountPoint)
  ) {
    return 'unmounted';
  }
  return 'recreated';
}

/** Errors from stat that mean "not there right now" rather than a bug: deleted, unmounted, stale. */
export const MISSING_CODES = new Set([
  'ENOENT',
  'ENOTDIR',
  'EIO',
  'ESTALE',
  'ENOTCONN',
  'EHOSTDOWN',
  'ETIMEDOUT',
]);
