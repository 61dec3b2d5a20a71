import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Clock } from './clock.js';

/**
 * The one lock file primitive: `path` created exclusively with `content` flushed, or false when the
 * name is taken. Both locks build on it: the daemon's single-instance lock (`jobs/lock.ts`, owner by
 * pid and start time) and `withFileLock` (short critical sections, owner by pid and host, else age).
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

/** Who holds a `withFileLock` lock: its pid, its host, and a nonce telling two holders apart. */
export interface FileLockOwner {
  pid: number;
  /** Absent in locks written before hosts were recorded: taken as this host. */
  host: string | undefined;
  nonce: string | undefined;
}

export function formatFileLock(owner: { pid: number; host: string; nonce: string }): string {
  return `${owner.pid}\nhost=${owner.host}\nnonce=${owner.nonce}\n`;
}

/** The owner a lock file names; undefined for a torn or foreign content (judged by age alone). */
export function parseFileLock(text: string): FileLockOwner | undefined {
  const [pidLine, ...rest] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const field = (name: string) =>
    rest
      .find((l) => l.startsWith(`${name}=`))
      ?.slice(name.length + 1)
      .trim() || undefined;
  return { pid, host: field('host'), nonce: field('nonce') };
}

/** Whether a process runs on this host (EPERM: it does, as another user). */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLockOptions {
  clock: Clock;
  /** Give up waiting after this long; default 2 minutes. */
  waitMs?: number;
  /** A lock file older than this was left by a crashed process; default 2 minutes. */
  staleMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Whether a pid is alive on this host; default `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean;
  /** This host's name; default `os.hostname()`. */
  hostname?: string;
}

/**
 * Nonces of the locks this process is taking or holding now: a lock naming our own pid with a nonce
 * not among them was left by an earlier process that had the same pid (containers reuse pids).
 */
const ownNonces = new Set<string>();

/**
 * Runs `fn` while holding `path`, so two processes sharing a state dir (the daemon and a `convert`)
 * never do the same thing at the same moment (ask for an anonymous token). The lock file names its
 * holder (pid, host): a lock whose process is gone from this host (kill -9, a crash) is taken over
 * at once; one from another host, or unreadable, once it is older than `staleMs`. If waiting takes
 * too long, `fn` runs anyway rather than never.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions,
): Promise<T> {
  const { clock, waitMs = 120_000, staleMs = 120_000, pollMs = 100 } = options;
  const host = options.hostname ?? hostname();
  const isAlive = options.isAlive ?? pidIsAlive;
  const nonce = randomBytes(8).toString('hex');
  const content = formatFileLock({ pid: process.pid, host, nonce });
  const deadline = clock.now() + waitMs;
  let held = false;
  ownNonces.add(nonce);
  while (!held) {
    held = await createLockFile(path, content, 0o600);
    if (held) break;
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released between our create and our read
    const ageMs = (await lockFileAgeMs(path, clock)) ?? 0;
    if (isStale(parseFileLock(text), ageMs, { host, isAlive, staleMs })) {
      // Remove only the very lock judged, so two waiters cannot delete each other's fresh one.
      if ((await readFile(path, 'utf8').catch(() => undefined)) === text)
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
    ownNonces.delete(nonce);
  }
}

function isStale(
  owner: FileLockOwner | undefined,
  ageMs: number,
  here: { host: string; isAlive: (pid: number) => boolean; staleMs: number },
): boolean {
  if (ageMs > here.staleMs) return true;
  if (!owner || (owner.host !== undefined && owner.host !== here.host)) return false;
  // Our own pid: ours if the nonce is one of ours (or not written yet), else an earlier process's.
  if (owner.pid === process.pid) return owner.nonce !== undefined && !ownNonces.has(owner.nonce);
  return !here.isAlive(owner.pid);
}
