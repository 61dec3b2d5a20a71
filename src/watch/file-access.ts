import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';

/** Whether the file can be opened for reading now; the error code when it cannot (busy, no permission). */
export async function openForReading(path: string): Promise<{ ok: true } | { ok: false; code: string }> {
  try {
    const handle = await open(path, 'r');
    await handle.close();
    return { ok: true };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code ?? 'UNKNOWN' };
  }
}

const O_ACCMODE = 0o3;
// Scanning every descriptor of every process is only worth it while it stays cheap.
const MAX_DESCRIPTORS = 50_000;
const YIELD_EVERY = 500;

/**
 * Linux only, best effort: which of `paths` some process we can see (our own user's) holds open for
 * writing. A copy that stalls longer than the settle window (a slow share, a paused download) keeps
 * its file open, so this catches what stability alone cannot. One sweep of /proc answers for a whole
 * batch. Processes of other users are invisible here, and anything unexpected answers "no writer",
 * leaving the stability check in charge.
 */
export async function linuxWriters(paths: string[], procRoot = '/proc'): Promise<Set<string>> {
  const writers = new Set<string>();
  const byTarget = new Map<string, string>();
  for (const path of paths) {
    try {
      byTarget.set(await realpath(path), path);
    } catch {
      // Gone already: the next pass notices.
    }
  }
  if (byTarget.size === 0) return writers;
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((p) => /^\d+$/.test(p));
  } catch {
    return writers;
  }
  // procfs answers from memory, so synchronous calls are far cheaper than a thread-pool round trip
  // each; yielding every few hundred keeps the event loop responsive on a busy desktop.
  let seen = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      if (++seen > MAX_DESCRIPTORS) return writers;
      if (seen % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      try {
        const original = byTarget.get(readlinkSync(`${procRoot}/${pid}/fd/${fd}`));
        if (original === undefined || writers.has(original)) continue;
        const info = readFileSync(`${procRoot}/${pid}/fdinfo/${fd}`, 'utf8');
        const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
        if (flags !== undefined && (parseInt(flags, 8) & O_ACCMODE) !== 0) writers.add(original);
      } catch {
        // The descriptor closed or the process ended while we looked.
      }
    }
  }
  return writers;
}
