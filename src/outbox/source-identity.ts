import type { SourceIdentity } from '../domain/job.js';
import { errnoCode } from './outbox-fs.js';

/** What a stat of the source says now. */
export interface SourceStat {
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  ctimeMs: number;
}

/**
 * Whether the file at the source path is still the one the job took. `changed`: another file (inode
 * or device differ: renamed over, `mv -f`) or other bytes (size or mtime differ). `unsure`: the same
 * file and stamps, but written or touched since (its ctime moved, which `touch -r` cannot hide), or a
 * record too old to know its inode: only the content hash can tell. Pure.
 */
export function compareIdentity(taken: SourceIdentity, now: SourceStat): 'same' | 'changed' | 'unsure' {
  if (now.size !== taken.size || now.mtimeMs !== taken.mtimeMs) return 'changed';
  if (taken.ino === undefined || taken.dev === undefined) return 'unsure';
  if (now.ino !== taken.ino || now.dev !== taken.dev) return 'changed';
  if (taken.ctimeMs === undefined || now.ctimeMs !== taken.ctimeMs) return 'unsure';
  return 'same';
}

export interface IdentityPorts {
  stat(path: string): Promise<SourceStat>;
  /** sha256 of the file's bytes, as intake computed `contentHash`. */
  hashFile?: (path: string) => Promise<string>;
}

/**
 * The source's state against what the job took: 'same', 'changed' (other content: it deserves its
 * own job), or 'gone'. In doubt the content hash decides. Without a hash to compare, a file known by
 * its inode that was written since is 'changed' (kept: nothing is archived that may not have been
 * converted); a record from before inodes were kept is judged by its stamps, as it was then.
 */
export async function checkIdentity(
  ports: IdentityPorts,
  path: string,
  taken: SourceIdentity,
): Promise<'same' | 'changed' | 'gone'> {
  let now: SourceStat;
  try {
    now = await ports.stat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'gone';
    throw err;
  }
  const verdict = compareIdentity(taken, now);
  if (verdict !== 'unsure') return verdict;
  if (!taken.contentHash || !ports.hashFile) return taken.ino === undefined ? 'same' : 'changed';
  return (await ports.hashFile(path)) === taken.contentHash ? 'same' : 'changed';
}
