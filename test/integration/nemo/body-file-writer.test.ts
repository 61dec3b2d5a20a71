import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writevSync } from 'node:fs';
import { fc, test as fcTest } from '@fast-check/vitest';
import {
  directWritesSuit,
  MAX_WRITE_BYTES,
  slices,
  SLOW_WRITE_MS,
  writeBody,
} from '../../../src/engines/nemo/body-file-writer.js';
import { SocketBody } from '../../../src/engines/nemo/socket-body.js';

// How a download's body reaches its temp file: lent batches from reused buffers, or any stream.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-body-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Writes `body` to a real file; `writeMs` is how long each direct write seems to take, `direct`
 * whether the file system allows direct writes.
 */
async function intoFile(body: Readable, writeMs = 0, direct = true, directWrites: number[] = []) {
  const path = join(dir, 'out.part');
  const handle = await open(path, 'wx+');
  const progress: number[] = [];
  let pooled = 0;
  let clock = 0;
  const file = {
    fd: handle.fd,
    writev: (chunks: Buffer[]) => {
      pooled++;
      return handle.writev(chunks);
    },
  };
  const now = () => (clock += writeMs);
  try {
    // The real direct write, each one's size noted.
    const record = (fd: number, chunks: Buffer[]) => {
      const n = writevSync(fd, chunks);
      directWrites.push(n);
      return n;
    };
    const length = await writeBody(body, file, (n) => progress.push(n), { direct, now, writevSync: record });
    return { length, file: await readFile(path), progress, pooled };
  } finally {
    await handle.close();
  }
}

describe('writeBody', () => {
  it('writes a lent body batch by batch (each batch one write) and gives each batch back once written', async () => {
    const given: Buffer[][] = [];
    const body = new SocketBody({ resume: () => undefined }, (s) => given.push(s));
    const shared = Buffer.from('abcdefghij');
    body.offer([shared.subarray(0, 3), shared.subarray(5, 7)]);
    body.offer([shared.subarray(8)]);
    body.finish();
    const got = await intoFile(body);
    expect(got.file.toString()).toBe('abcfgij');
    expect(got.length).toBe(7);
    expect(got.progress).toEqual([5, 7]);
    expect(given.map((s) => s.length)).toEqual([2, 1]);
  });

  function lentBody(parts: string[]): SocketBody {
    const body = new SocketBody({ resume: () => undefined }, () => undefined);
    for (const p of parts) body.offer([Buffer.from(p)]);
    body.finish();
    return body;
  }

  it('writes directly while writes are quick', async () => {
    const got = await intoFile(lentBody(['ab', 'cd', 'ef']), 1);
    expect(got.file.toString()).toBe('abcdef');
    expect(got.pooled).toBe(0);
  });

  it('after one slow write, writes the rest through the threadpool (the event loop is blocked once at most)', async () => {
    const got = await intoFile(lentBody(['ab', 'cd', 'ef', 'gh']), SLOW_WRITE_MS + 5);
    expect(got.file.toString()).toBe('abcdefgh');
    expect(got.progress).toEqual([2, 4, 6, 8]);
    expect(got.pooled).toBe(3);
  });

  it('on a file system that is not local, writes every batch through the threadpool, however quick', async () => {
    const got = await intoFile(lentBody(['ab', 'cd', 'ef']), 0, false);
    expect(got.file.toString()).toBe('abcdef');
    expect(got.progress).toEqual([2, 4, 6]);
    expect(got.pooled).toBe(3);
  });

  it('hands the kernel a 1 MiB batch in writes of at most MAX_WRITE_BYTES, in order (no large page-cache folios)', async () => {
    const head = Buffer.alloc(1000, 1); // the response head shares the first buffer with the body
    const batch = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < batch.length; i++) batch[i] = (i * 7) & 0xff;
    const body = new SocketBody({ resume: () => undefined }, () => undefined);
    body.offer([batch.subarray(head.length)]);
    body.offer([batch.subarray(0, 300_000), batch.subarray(300_000)]);
    body.finish();
    const sizes: number[] = [];
    const got = await intoFile(body, 0, true, sizes);
    expect(got.file.equals(Buffer.concat([batch.subarray(head.length), batch]))).toBe(true);
    expect(Math.max(...sizes)).toBe(MAX_WRITE_BYTES);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(got.length);
    expect(got.progress).toEqual([batch.length - head.length, 2 * batch.length - head.length]);
    expect(got.pooled).toBe(0);
  });

  it('a write that turns slow in the middle of a batch sends the rest of that batch in one threadpool write', async () => {
    const batch = Buffer.alloc(3 * MAX_WRITE_BYTES, 5);
    const body = new SocketBody({ resume: () => undefined }, () => undefined);
    body.offer([batch]);
    body.finish();
    const sizes: number[] = [];
    const got = await intoFile(body, SLOW_WRITE_MS + 5, true, sizes);
    expect(sizes).toEqual([MAX_WRITE_BYTES]);
    expect(got.pooled).toBe(1);
    expect(got.file.equals(batch)).toBe(true);
  });

  it('writes any other stream chunk by chunk', async () => {
    const got = await intoFile(Readable.from([Buffer.from('one '), Buffer.from('two')]));
    expect(got.file.toString()).toBe('one two');
    expect(got.length).toBe(7);
    expect(got.progress).toEqual([4, 7]);
  });
});

describe('slices', () => {
  fcTest.prop([
    fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
    fc.integer({ min: 1, max: 50 }),
  ])(
    'cuts chunks into runs of at most max bytes, none empty, that add up to the same bytes in order',
    (arrays, max) => {
      const chunks = arrays.map((a) => Buffer.from(a));
      const runs = slices(chunks, max);
      for (const run of runs) {
        const size = run.reduce((n, c) => n + c.length, 0);
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(max);
      }
      // Every run but the last is full.
      for (const run of runs.slice(0, -1)) expect(run.reduce((n, c) => n + c.length, 0)).toBe(max);
      expect(Buffer.concat(runs.flat()).equals(Buffer.concat(chunks))).toBe(true);
    },
  );
});

describe('directWritesSuit', () => {
  const fsType = (type: number) => () => Promise.resolve({ type });

  it('allows direct writes on local Linux file systems', async () => {
    for (const type of [0xef53, 0x58465342, 0x9123683e, 0x01021994, 0x794c7630])
      expect(await directWritesSuit('/x', 'linux', fsType(type))).toBe(true);
  });

  it('refuses them on network and user-space file systems, whose writes can block for long', async () => {
    // NFS, SMB2, CIFS, FUSE (sshfs, rclone), 9p
    for (const type of [0x6969, 0xfe534d42, 0xff534d42, 0x65735546, 0x01021997])
      expect(await directWritesSuit('/x', 'linux', fsType(type))).toBe(false);
  });

  it('refuses them off Linux and when the file system cannot be asked', async () => {
    expect(await directWritesSuit('/x', 'darwin', fsType(0xef53))).toBe(false);
    expect(await directWritesSuit('/x', 'win32', fsType(0xef53))).toBe(false);
    const refused = () => Promise.reject(Object.assign(new Error('no'), { code: 'ENOSYS' }));
    expect(await directWritesSuit('/x', 'linux', refused)).toBe(false);
  });

  it('asks the real file system of a real folder', async () => {
    const { type } = await (await import('node:fs/promises')).statfs(dir);
    const local = [
      0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010, 0x2fc12fc1, 0x794c7630, 0xca451a4e,
    ];
    expect(await directWritesSuit(dir)).toBe(process.platform === 'linux' && local.includes(type));
  });
});
