import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../../src/core/content-hash.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-hash-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hashFile', () => {
  it('is the sha256 of the bytes, streamed over several chunks', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    bytes.write('start', 0);
    await writeFile(join(dir, 'a.avi'), bytes);
    expect(await hashFile(join(dir, 'a.avi'))).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('gives a renamed copy the same identity and a one-byte change a new one', async () => {
    await writeFile(join(dir, 'a.avi'), 'video bytes');
    await copyFile(join(dir, 'a.avi'), join(dir, 'renamed copy.mov'));
    await writeFile(join(dir, 'b.avi'), 'video bytez');
    const a = await hashFile(join(dir, 'a.avi'));
    expect(await hashFile(join(dir, 'renamed copy.mov'))).toBe(a);
    expect(await hashFile(join(dir, 'b.avi'))).not.toBe(a);
  });

  it('stops when aborted', async () => {
    await writeFile(join(dir, 'a.avi'), Buffer.alloc(1024 * 1024));
    const controller = new AbortController();
    controller.abort();
    await expect(hashFile(join(dir, 'a.avi'), controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('rejects a missing file', async () => {
    await expect(hashFile(join(dir, 'missing.avi'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
