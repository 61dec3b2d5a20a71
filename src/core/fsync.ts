import { open } from 'node:fs/promises';

/**
 * Flushes a directory's entries (a rename or link inside it) to disk. Some platforms and file systems
 * cannot open or sync a directory; there the rename is as durable as the OS makes it, and failing the
 * job over it would help nobody.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'ENOTSUP') throw err;
  } finally {
    await handle?.close();
  }
}

/** Flushes a file's bytes to disk before it is given its final name. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
