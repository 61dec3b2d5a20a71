import { realpath } from 'node:fs/promises';
import { findMount, type MountEntry } from './mounts.js';

export interface InboxLocation {
  /** The inbox with symlinks resolved (a symlinked inbox is common: `~/Videos/inbox -> /mnt/nas/…`). */
  real: string;
  /** The mount holding it, when the mount table knows. */
  mount: MountEntry | undefined;
}

/** Where an inbox really lives. The mount is a hint: an unresolvable path is looked up as named. */
export async function locateInbox(
  root: string,
  readMounts: () => Promise<MountEntry[]>,
): Promise<InboxLocation> {
  let real = root;
  try {
    real = await realpath(root);
  } catch {
    // The watch reports the problem itself.
  }
  return { real, mount: findMount(real, await readMounts()) };
}

export function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
}
