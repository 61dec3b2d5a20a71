import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import { createLockFile, lockFileAgeMs } from '../core/file-lock.js';

/** The lock file in the state dir: line 1 the owner's pid, line 2 (Linux) its start time. */
export const LOCK_FILE = 'daemon.lock';

export interface DaemonLock {
  path: string;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface LockOwner {
  pid: number;
  /** Process start time in clock ticks since boot (Linux), to tell a reused pid from the owner. */
  startTime: string | undefined;
}

// A lock with unreadable content this young may be mid-write by its creator: not stale yet.
const FRESH_MS = 5000;
const heldHere = new Set<string>();

/** Linux: field 22 of /proc/<pid>/stat, read after the command name (which may hold spaces). */
async function processStartTime(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function parseLockFile(text: string): LockOwner | undefined {
  const [pidLine, startLine] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const startTime = startLine?.startsWith('start=') ? startLine.slice(6).trim() || undefined : undefined;
  return { pid, startTime };
}

async function isAlive(owner: LockOwner, lockPath: string): Promise<boolean> {
  if (owner.pid === process.pid) return heldHere.has(lockPath);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // After a reboot the same pid may belong to an unrelated process: the start time tells them apart.
  if (owner.startTime !== undefined) {
    const now = await processStartTime(owner.pid);
    if (now !== undefined && now !== owner.startTime) return false;
  }
  return true;
}

/** Who holds the lock in `stateDir`, if a live process does (for `status`). */
export async function readLockOwner(stateDir: string): Promise<LockOwner | undefined> {
  const path = join(stateDir, LOCK_FILE);
  try {
    const owner = parseLockFile(await readFile(path, 'utf8'));
    return owner !== undefined && (await isAlive(owner, path)) ? owner : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(stateDir: string, path: string, pid: number | undefined): VideoInboxError {
  const who = pid === undefined ? 'another video-inbox daemon' : `another video-inbox daemon (pid ${pid})`;
  return new VideoInboxError('LOCKED', `The state dir ${stateDir} is in use by ${who}`, {
    hint:
      'Only one daemon may run per state dir. Stop the other one first (as a service: `systemctl --user stop ' +
      'video-inbox`, or `launchctl` on macOS), or give this one its own `stateDir` in the config.',
    context: { stateDir, lockPath: path, pid },
  });
}

/**
 * Takes the single-daemon lock of `stateDir`: an exclusively created file holding our pid. A lock
 * whose owner is no longer alive (a crash, kill -9, reboot) is taken over; a live owner means
 * VideoInboxError('LOCKED') naming its pid.
 */
export async function acquireLock(stateDir: string, deps: { clock: Clock }): Promise<DaemonLock> {
  await mkdir(stateDir, { recursive: true });
  const path = join(stateDir, LOCK_FILE);
  const content = `${process.pid}\nstart=${(await processStartTime(process.pid)) ?? ''}\n`;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (await createLockFile(path, content)) {
      heldHere.add(path);
      return {
        path,
        release: async () => {
          if (!heldHere.delete(path)) return;
          try {
            if ((await readFile(path, 'utf8')) === content) await unlink(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    }
    let text: string;
    let ageMs: number | undefined;
    try {
      text = await readFile(path, 'utf8');
      ageMs = await lockFileAgeMs(path, deps.clock);
    } catch {
      continue; // Released between our create and our read: try again.
    }
    if (ageMs === undefined) continue;
    const owner = parseLockFile(text);
    if (owner === undefined) {
      if (ageMs < FRESH_MS) throw lockedError(stateDir, path, undefined);
    } else if (await isAlive(owner, path)) {
      throw lockedError(stateDir, path, owner.pid);
    }
    // Stale. Remove it only if it is still the very file we judged, so two starters racing over the
    // same stale lock cannot delete each other's fresh one (beyond this narrow read-then-unlink gap).
    try {
      if ((await readFile(path, 'utf8')) === text) await unlink(path);
    } catch {
      // Someone else removed it first; the next create decides.
    }
  }
  throw lockedError(stateDir, path, undefined);
}
