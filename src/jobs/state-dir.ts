import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VideoInboxError } from '../core/errors.js';

/** Owner-only, like the credentials: the journal lists every file name and folder the daemon saw. */
export const STATE_DIR_MODE = 0o700;
export const STATE_FILE_MODE = 0o600;

/**
 * Creates the state dir owner-only, and tightens one made before (by an older version, or by hand):
 * the dir to 0700 and the journal files and lock in it to 0600. A dir owned by someone else cannot be
 * changed (EPERM) and is left as it is.
 */
export async function secureStateDir(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: STATE_DIR_MODE });
  await tighten(stateDir, STATE_DIR_MODE);
  for (const name of await readdir(stateDir)) {
    if (name.startsWith('journal.log') || name === 'daemon.lock')
      await tighten(join(stateDir, name), STATE_FILE_MODE);
  }
}

async function tighten(path: string, mode: number): Promise<void> {
  try {
    await chmod(path, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOENT') throw err;
  }
}

/**
 * A full or unwritable state dir, said as such (not as the outbox): the journal and the lock live
 * there, and nothing can start or be recorded until it has room. Other errors pass unchanged.
 */
export function stateDirError(stateDir: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new VideoInboxError('DISK_FULL', `The disk that holds the state dir ${stateDir} is full`, {
      cause: err,
      context: { stateDir },
      hint: `Free some space on the disk of ${stateDir} (the journal and lock live there), then start video-inbox again.`,
    });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new VideoInboxError('INTERNAL', `The state dir ${stateDir} cannot be written (${code})`, {
      cause: err,
      context: { stateDir },
      hint: `Make ${stateDir} writable by this user, or set stateDir in the config to a folder that is.`,
    });
  }
  return err;
}
