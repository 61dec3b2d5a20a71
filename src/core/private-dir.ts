import { chmodSync, lstatSync, mkdirSync, realpathSync, statfsSync, type Stats } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';

/**
 * Below this much free space nothing is cached: when Node's write of a cache entry fails (a full
 * disk) it leaves an empty temp file behind, hundreds per command.
 */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

/**
 * `dir` (made if missing, mode 0700) when nobody but this user, or root, can change what is in it;
 * else undefined. For a folder whose contents the process runs, such as compiled code: another user
 * who could put a file there could run code as this one. So:
 *
 * - `dir` must be absolute: an empty or relative HOME would put it under the current folder;
 * - `dir` itself is this user's, and made 0700 (others may not even look inside);
 * - every folder above it belongs to this user or root and is writable by nobody else, unless it
 *   is root's and sticky like /tmp, where others cannot rename what is not theirs. (Root running
 *   with another user's HOME, as `sudo` may keep it, so gets no cache: that user owns the folders.)
 * - its disk has MIN_FREE_BYTES free.
 *
 * Folders above, and the room, are checked before anything is made: nothing is created in someone
 * else's tree or on a full disk.
 */
export function privateDir(dir: string, minFreeBytes = MIN_FREE_BYTES): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || !isAbsolute(dir)) return undefined;
  try {
    const base = realpathSync(deepestExisting(dir));
    if (!chainIsSafe(base, uid) || !hasRoom(base, minFreeBytes)) return undefined;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = realpathSync(dir);
    const own = lstatSync(real);
    if (!own.isDirectory() || own.uid !== uid) return undefined;
    // Ours alone, whatever the umask made it: Node makes its own subfolder in here with the umask's
    // mode, so this folder is what keeps others out of the entries.
    if ((own.mode & 0o077) !== 0) chmodSync(real, 0o700);
    return chainIsSafe(dirname(real), uid) && hasRoom(real, minFreeBytes) ? real : undefined;
  } catch {
    return undefined;
  }
}

function hasRoom(path: string, minFreeBytes: number): boolean {
  const disk = statfsSync(path);
  return disk.bavail * disk.bsize >= minFreeBytes;
}

function deepestExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      lstatSync(p);
      return p;
    } catch {
      if (p === dirname(p)) return p;
    }
  }
}

/** `path` (a real path) and every folder above it may be changed only by `uid` or root. */
function chainIsSafe(path: string, uid: number): boolean {
  for (let p = path; ; p = dirname(p)) {
    if (!safeFolder(lstatSync(p), uid)) return false;
    if (p === dirname(p)) return true;
  }
}

function safeFolder(st: Stats, uid: number): boolean {
  if (!st.isDirectory() || (st.uid !== uid && st.uid !== 0)) return false;
  const othersWrite = (st.mode & 0o022) !== 0;
  const stickyRoot = (st.mode & 0o1000) !== 0 && st.uid === 0;
  return !othersWrite || stickyRoot;
}
