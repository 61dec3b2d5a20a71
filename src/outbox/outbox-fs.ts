import * as fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';

/**
 * The file operations the outbox performs, as a port: tests inject a rename or link that fails with
 * EXDEV or a copy that fails with ENOSPC, which a single-disk test machine cannot produce for real.
 */
export interface OutboxFs {
  link(existing: string, newPath: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  copyFile(from: string, to: string, mode?: number): Promise<void>;
  /** Creates an empty file, failing with EEXIST when the name is taken. */
  createExclusive(path: string): Promise<void>;
  stat(path: string): Promise<Stats>;
  mkdir(path: string): Promise<void>;
  writeFile(path: string, data: string): Promise<void>;
  statfs(path: string): Promise<{ bavail: number; bsize: number }>;
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
  mkdir: async (p) => {
    await fsp.mkdir(p, { recursive: true });
  },
  writeFile: (p, data) => fsp.writeFile(p, data, { flush: true }),
  statfs: (p) => fsp.statfs(p),
};

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
