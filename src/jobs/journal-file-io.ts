import { open, type FileHandle } from 'node:fs/promises';
import { VideoInboxError } from '../core/errors.js';

/** Reads byte ranges in ascending order through a 1 MiB window, so copying done lines is sequential. */
export class WindowReader {
  private window = Buffer.alloc(0);
  private start = 0;

  constructor(private readonly handle: FileHandle | undefined) {}

  async bytes(offset: number, length: number): Promise<Buffer> {
    if (offset < this.start || offset + length > this.start + this.window.length) {
      if (!this.handle) throw new VideoInboxError('INTERNAL', 'The journal is not open');
      const buf = Buffer.allocUnsafe(Math.max(1024 * 1024, length));
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, offset);
      this.window = buf.subarray(0, bytesRead);
      this.start = offset;
      if (bytesRead < length) throw Object.assign(new Error('Journal line cut short'), { code: 'EIO' });
    }
    return Buffer.from(this.window.subarray(offset - this.start, offset - this.start + length));
  }
}

/** Writes lines to a new file in chunks of about 256 KiB, then fsyncs it. */
export class ChunkedWriter {
  bytes = 0;
  private written = 0;
  private pending: Buffer[] = [];

  constructor(private readonly out: FileHandle) {}

  async add(line: Buffer): Promise<void> {
    this.pending.push(line);
    this.bytes += line.length;
    if (this.bytes - this.written >= 256 * 1024) await this.flush();
  }

  async finish(): Promise<number> {
    await this.flush();
    await this.out.sync();
    return this.bytes;
  }

  close(): Promise<void> {
    return this.out.close().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await writeAll(this.out, Buffer.concat(this.pending), this.written);
    this.written = this.bytes;
    this.pending = [];
  }
}

/** Writes all of `buf` at `position`, however many writes it takes. */
export async function writeAll(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < buf.length) {
    const { bytesWritten } = await handle.write(buf, written, buf.length - written, position + written);
    if (bytesWritten === 0) throw Object.assign(new Error('No bytes written'), { code: 'EIO' });
    written += bytesWritten;
  }
}

/**
 * Opens the journal file: read-only (`undefined` when there is none yet) or for writing (created
 * when missing, through `openFile`); `created` says it was just made.
 */
export async function openJournalFile(
  file: string,
  readOnly: boolean,
  openFile: (path: string, flags: string) => Promise<FileHandle>,
): Promise<{ handle: FileHandle | undefined; created: boolean }> {
  if (readOnly) {
    const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    return { handle, created: false };
  }
  try {
    return { handle: await openFile(file, 'r+'), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { handle: await openFile(file, 'w+'), created: true };
  }
}
