import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SLOW_WRITE_MS, writeBody } from '../../../src/engines/nemo/body-file-writer.js';
import { SocketBody } from '../../../src/engines/nemo/socket-body.js';

// How a download's body reaches its temp file: lent batches from reused buffers, or any stream.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-body-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `body` to a real file; `writeMs` is how long each direct write seems to take. */
async function intoFile(body: Readable, writeMs = 0) {
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
    const length = await writeBody(body, file, (n) => progress.push(n), now);
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

  it('writes any other stream chunk by chunk', async () => {
    const got = await intoFile(Readable.from([Buffer.from('one '), Buffer.from('two')]));
    expect(got.file.toString()).toBe('one two');
    expect(got.length).toBe(7);
    expect(got.progress).toEqual([4, 7]);
  });
});
