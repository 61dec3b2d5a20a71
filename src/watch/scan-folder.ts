import { lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Fingerprint } from './settle-policy.js';
import { isUndecodable } from './undecodable-name.js';

export interface ScannedFile {
  path: string;
  fp: Fingerprint;
}

export interface ScanResult {
  files: ScannedFile[];
  directories: number;
  /** False when some directory could not be listed: then absence proves nothing. */
  complete: boolean;
  /** Why the scanned folder itself could not be listed (EACCES, EIO…), if it could not. */
  error: string | undefined;
  /** Entries whose names are not valid UTF-8: a string path cannot reach them (see undecodable-name). */
  undecodable: { dir: string; raw: Buffer }[];
}

/** Path relative to the inbox with `/` separators, the form the ignore policy and rules see. */
export function relativeToInbox(root: string, path: string): string {
  const rel = relative(root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Lists every file under `dir` (inside inbox `root`) that `skip` does not exclude (files and folders)
 * nor `skipFile` (files only: those are not even stat'ed). Symlinked folders are not followed (they
 * can loop, or point outside the inbox); symlinked files are listed with their target's fingerprint,
 * and links that loop or dangle with their own (intake sets them aside).
 */
export async function scanFolder(
  root: string,
  dir: string,
  skip: (rel: string) => boolean,
  skipFile?: (rel: string) => boolean,
): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  let directories = 0;
  let complete = true;
  let error: string | undefined;
  const undecodable: ScanResult['undecodable'] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      complete = false;
      if (current === dir) error = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      continue;
    }
    directories += 1;
    if (entries.some((e) => e.name.includes('\uFFFD'))) undecodable.push(...(await rawNames(current)));
    for (const entry of entries) {
      const path = join(current, entry.name);
      const rel = relativeToInbox(root, path);
      if (skip(rel)) continue;
      if (entry.isDirectory()) {
        stack.push(path);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (skipFile?.(rel)) continue;
      try {
        const st = await stat(path);
        if (st.isFile()) files.push({ path, fp: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } });
      } catch (err) {
        // A link that loops or points at nothing is listed as the link itself, so it is set aside with
        // its reason rather than left unexplained; a file that vanished since the listing is not.
        const link = entry.isSymbolicLink() ? await brokenLink(path, err) : undefined;
        if (link) files.push({ path, fp: link });
      }
    }
  }
  return { files, directories, complete, error, undecodable };
}

async function brokenLink(path: string, err: unknown): Promise<Fingerprint | undefined> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT' && code !== 'ELOOP') return undefined;
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } : undefined;
  } catch {
    return undefined;
  }
}

/** The names in `dir` that are not valid UTF-8, as bytes (Node shows them with U+FFFD). */
async function rawNames(dir: string): Promise<ScanResult['undecodable']> {
  try {
    const names = await readdir(dir, { encoding: 'buffer' });
    return names.filter(isUndecodable).map((raw) => ({ dir, raw }));
  } catch {
    return [];
  }
}

/**
 * A folder moved in raises one event per subfolder; scanning only the outermost ones covers them all
 * without listing the deep ones again and again.
 */
export function outermostFolders(dirs: string[]): string[] {
  const kept = new Set<string>();
  for (const dir of [...new Set(dirs)].sort((a, b) => a.length - b.length)) {
    let covered = false;
    for (let up = dirname(dir); !covered; up = dirname(up)) {
      covered = kept.has(up);
      if (up === dirname(up)) break;
    }
    if (!covered) kept.add(dir);
  }
  return [...kept];
}
