import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writeBody } from '../../../src/engines/nemo/body-file-writer.js';
import { SocketBody } from '../../../src/engines/nemo/socket-body.js';

// How a download's body reaches its temp file: lent batches from reused buffers, or any stream.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-body-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function intoFile(body: Readable): Promise<{ length: number; file: Buffer; progress: number[] }> {
  const path = join(dir, 'out.part');
  const handle = await open(path, 'wx+');
  const progress: number[] = [];
  try {
    const length = await writeBody(body, handle, (n) => progress.push(n));
    return { length, file: await readFile(path), progress };
  } finally {
    await handle.close();
  }
}

describe('writeBody', () => {
  it('writes a lent body batch by batch (each batch one write) and gives each batch back once written', async () => {
    const given: Buffer[][] = [];
    const body = new SocketBody({ pause: () => undefined, resume: () => undefined }, (s) => given.push(s));
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

  it('writes any other stream chunk by chunk', async () => {
    const got = await intoFile(Readable.from([Buffer.from('one '), Buffer.from('two')]));
    expect(got.file.toString()).toBe('one two');
    expect(got.length).toBe(7);
    expect(got.progress).toEqual([4, 7]);
  });
});
