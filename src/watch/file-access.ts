import { open, readdir, readFile, readlink, realpath } from 'node:fs/promises';

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
const MAX_DESCRIPTORS = 20_000;

/**
 * Linux only, best effort: whether some process we can see (our own user's) holds `path` open for
 * writing. A copy that stalls longer than the settle window (a slow share, a paused download) keeps
 * its file open, so this catches what stability alone cannot. Processes of other users are invisible
 * here, and anything unexpected answers "no writer", leaving the stability check in charge.
 */
export async function hasLinuxWriter(path: string, procRoot = '/proc'): Promise<boolean> {
  let target: string;
  let pids: string[];
  try {
    target = await realpath(path);
    pids = (await readdir(procRoot)).filter((p) => /^\d+$/.test(p));
  } catch {
    return false;
  }
  let seen = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`${procRoot}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      if (++seen > MAX_DESCRIPTORS) return false;
      try {
        if ((await readlink(`${procRoot}/${pid}/fd/${fd}`)) !== target) continue;
        const info = await readFile(`${procRoot}/${pid}/fdinfo/${fd}`, 'utf8');
        const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
        if (flags !== undefined && (parseInt(flags, 8) & O_ACCMODE) !== 0) return true;
      } catch {
        // The descriptor closed or the process ended while we looked.
      }
    }
  }
  return false;
}
