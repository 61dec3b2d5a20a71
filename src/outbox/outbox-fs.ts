import * as fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { nodeAtomicWriteFs, type AtomicWriteFs } from '../core/atomic-write.js';

/**
 * The file operations of the outbox and of a running job (placing, setting aside, source actions,
 * retry marks), as a port; `nodeOutboxFs` is its one real adapter, built in the composition root: tests inject a rename or link that fails with
 * EXDEV or a copy that fails with ENOSPC, which a single-disk test machine cannot produce for real.
 */
export interface OutboxFs extends AtomicWriteFs {
  link(existing: string, newPath: string): Promise<void>;
  copyFile(from: string, to: string, mode?: number): Promise<void>;
  /** Creates an empty file, failing with EEXIST when the name is taken. */
  createExclusive(path: string): Promise<void>;
  stat(path: string): Promise<Stats>;
  /** The entry itself, a symlink not followed. */
  lstat(path: string): Promise<Stats>;
  /** What a symbolic link says, as written. */
  readlink(path: string): Promise<string>;
  /** Creates a symbolic link at `path` saying `target`, failing with EEXIST when the name is taken. */
  symlink(target: string, path: string): Promise<void>;
  /** The path with every symlink resolved (ELOOP for a loop, ENOENT for a dangling link). */
  realpath(path: string): Promise<string>;
  /** Creates a folder and its parents (`mode` for the ones it creates). */
  mkdir(path: string, mode?: number): Promise<void>;
  /** Removes an empty folder. */
  rmdir(path: string): Promise<void>;
  statfs(path: string): Promise<{ bavail: number; bsize: number }>;
  /** A small file's text (UTF-8). */
  readText(path: string): Promise<string>;
}

export const nodeOutboxFs: OutboxFs = {
  link: (a, b) => fsp.link(a, b),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  copyFile: (a, b, mode) => fsp.copyFile(a, b, mode),
  createExclusive: async (p) => {
    await (await fsp.open(p, 'wx')).close();
  },
  stat: (p) => fsp.stat(p),
  lstat: (p) => fsp.lstat(p),
  realpath: (p) => fsp.realpath(p),
  readlink: (p) => fsp.readlink(p),
  symlink: (target, p) => fsp.symlink(target, p),
  mkdir: async (p, mode) => {
    await fsp.mkdir(p, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  },
  rmdir: (p) => fsp.rmdir(p),
  writeNew: nodeAtomicWriteFs.writeNew,
  statfs: (p) => fsp.statfs(p),
  readText: (p) => fsp.readFile(p, 'utf8'),
};

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
