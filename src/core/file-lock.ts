import { open, stat, unlink } from 'node:fs/promises';
import type { Clock } from './clock.js';

/**
 * The one lock file primitive: `path` created exclusively with `content` flushed, or false when the
 * name is taken. Both locks build on it: the daemon's single-instance lock (`jobs/lock.ts`, owner by
 * pid) and `withFileLock` (short critical sections, owner by age).
 */
export async function createLockFile(path: string, content: string, mode = 0o644): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return true;
}

/** How long ago, by `clock`, the lock file was written; undefined when it is gone. */
export async function lockFileAgeMs(path: string, clock: Clock): Promise<number | undefined> {
  return stat(path).then(
    (s) => clock.now() - s.mtimeMs,
    () => undefined,
  );
}

export interface FileLockOptions {
  clock: Clock;
  /** Give up waiting after this long; default 2 minutes. */
  waitMs?: number;
  /** A lock file older than this was left by a crashed process; default 2 minutes. */
  staleMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `fn` while holding `path`, so two processes sharing a state dir (the daemon and a `convert`)
 * never do the same thing at the same moment (ask for an anonymous token). A lock left by a crash is
 * taken over once stale; if waiting takes too long, `fn` runs anyway rather than never.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions,
): Promise<T> {
  const { clock, waitMs = 120_000, staleMs = 120_000, pollMs = 100 } = options;
  const deadline = clock.now() + waitMs;
  let held = false;
  while (!held) {
    held = await createLockFile(path, String(process.pid), 0o600);
    if (held) break;
    if (((await lockFileAgeMs(path, clock)) ?? 0) > staleMs) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (clock.now() >= deadline) break;
    await clock.sleep(pollMs, options.signal);
  }
  try {
    return await fn();
  } finally {
    if (held) await unlink(path).catch(() => undefined);
  }
}
