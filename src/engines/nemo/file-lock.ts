import { open, stat, unlink } from 'node:fs/promises';
import type { Clock } from '../../core/clock.js';

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
 * Runs `fn` while holding `path` (created exclusively), so two processes sharing a state dir (the
 * daemon and a `convert`) never ask for an anonymous token at the same moment. A lock left by a crash
 * is taken over once stale; if waiting takes too long, `fn` runs anyway rather than never.
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
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      held = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleMs) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (clock.now() >= deadline) break;
      await clock.sleep(pollMs, options.signal);
    }
  }
  try {
    return await fn();
  } finally {
    if (held) await unlink(path).catch(() => undefined);
  }
}
