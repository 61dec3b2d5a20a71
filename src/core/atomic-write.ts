import { randomUUID } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fitName } from './fit-name.js';
import { fsyncDir } from './fsync.js';

/** The file operations an atomic write needs; the outbox's fs port provides them too (tests fake it). */
export interface AtomicWriteFs {
  /** Creates `path` exclusively with `mode` (whatever the umask), writes `data` and flushes it. */
  writeNew(path: string, data: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export const nodeAtomicWriteFs: AtomicWriteFs = {
  writeNew: async (path, data, mode) => {
    const handle = await open(path, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
};

/**
 * The one temp-then-rename write: `data` goes to a hidden, uniquely named temp beside `path`, created
 * with the final mode and flushed, then renamed over `path`, so a reader sees the old file or the
 * whole new one, never half, and a secret is never readable by others even for a moment.
 */
export async function writeFileAtomic(
  fs: AtomicWriteFs,
  path: string,
  data: string,
  mode = 0o644,
): Promise<void> {
  const temp = join(
    dirname(path),
    fitName(basename(path), { prefix: '.', suffix: `.${randomUUID().slice(0, 8)}.tmp` }),
  );
  try {
    await fs.writeNew(temp, data, mode);
    await fs.rename(temp, path);
  } catch (err) {
    await fs.unlink(temp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(path));
}
