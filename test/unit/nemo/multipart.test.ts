import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import { dispositionFilename, mimeType, multipartFileBody } from '../../../src/engines/nemo/multipart.js';
import { hasFtypBox } from '../../../src/engines/nemo/mp4-check.js';
import type { LentChunk } from '../../../src/engines/nemo/http-types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-multipart-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Copies each lent chunk, then gives it back (as the transport does once the socket took it). */
async function collect(iter: AsyncIterable<LentChunk>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of iter) {
    parts.push(Buffer.from(c.bytes));
    c.release();
  }
  return Buffer.concat(parts);
}

describe('multipartFileBody', () => {
  it('produces a body a multipart parser reads back as field `files`, of the announced length', async () => {
    const path = join(dir, 'clip "one" é.mov');
    const content = Buffer.alloc(700_000, 7);
    await writeFile(path, content);
    const body = multipartFileBody(path, content.length);
    const bytes = await collect(body.open());
    expect(bytes.length).toBe(body.contentLength);

    const got = await new Promise<{ field: string; filename: string; mime: string; data: Buffer }>(
      (resolve, reject) => {
        const bb = busboy({ headers: { 'content-type': body.contentType }, defParamCharset: 'utf8' });
        bb.on('file', (field, stream, info) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () =>
            resolve({
              field,
              filename: info.filename ?? '',
              mime: info.mimeType,
              data: Buffer.concat(chunks),
            }),
          );
        });
        bb.on('error', reject);
        bb.end(bytes);
      },
    );
    expect(got.field).toBe('files');
    expect(got.filename).toBe('clip "one" é.mov');
    expect(got.mime).toBe('video/quicktime');
    expect(got.data.equals(content)).toBe(true);
  });

  it('fails when the file changed size since it was measured', async () => {
    const path = join(dir, 'a.mp4');
    await writeFile(path, Buffer.alloc(100));
    await expect(collect(multipartFileBody(path, 200).open())).rejects.toThrow(/changed size/);
  });

  it('fails when the file grew since it was measured', async () => {
    const path = join(dir, 'a.mp4');
    await writeFile(path, Buffer.alloc(300));
    await expect(collect(multipartFileBody(path, 200).open())).rejects.toThrow(
      /changed size during upload \(200 → 300 bytes\)/,
    );
  });

  it('reads a file larger than its buffers into reused memory, each byte in place', async () => {
    const path = join(dir, 'big.mp4');
    // 9.5 MiB of distinct bytes: more than the four 1 MiB buffers it is read into.
    const content = Buffer.alloc(9.5 * 2 ** 20);
    for (let i = 0; i < content.length; i += 4) content.writeUInt32LE(i, i);
    await writeFile(path, content);
    const body = multipartFileBody(path, content.length);
    const buffers = new Set<ArrayBufferLike>();
    const parts: Buffer[] = [];
    for await (const c of body.open()) {
      buffers.add(c.bytes.buffer);
      parts.push(Buffer.from(c.bytes));
      c.release();
    }
    const all = Buffer.concat(parts);
    expect(all.length).toBe(body.contentLength);
    expect(all.includes(content)).toBe(true);
    // head and tail, plus at most four read buffers for ten reads.
    expect(buffers.size).toBeLessThanOrEqual(6);
  });

  it('waits for a lent buffer to come back, and gives up when the consumer is gone', async () => {
    const path = join(dir, 'big.mp4');
    await writeFile(path, Buffer.alloc(8 * 2 ** 20, 1));
    const gone = new AbortController();
    const chunks = multipartFileBody(path, 8 * 2 ** 20).open(gone.signal);
    const iter = chunks[Symbol.asyncIterator]();
    const held: LentChunk[] = [];
    for (let i = 0; i < 5; i++) held.push((await iter.next()).value as LentChunk); // head + 4 reads
    let settled = false;
    const fifth = iter.next().finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    held[1]?.release();
    expect(((await fifth).value as LentChunk).bytes.length).toBe(2 ** 20);
    const sixth = iter.next();
    gone.abort(new Error('request closed'));
    await expect(sixth).rejects.toThrow(/request closed/);
  });
});

describe('helpers', () => {
  it.each([
    ['a.MP4', 'video/mp4'],
    ['a.avi', 'video/x-msvideo'],
    ['a.mkv', 'video/x-matroska'],
    ['a.xyz', 'application/octet-stream'],
  ])('mime of %s is %s', (name, mime) => {
    expect(mimeType(name)).toBe(mime);
  });

  it('quotes filenames safely', () => {
    expect(dispositionFilename('plain.mp4')).toBe('filename="plain.mp4"');
    expect(dispositionFilename('a"b.mp4')).toContain("filename*=UTF-8''a%22b.mp4");
  });

  it.each([
    [Buffer.from([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]), true],
    [Buffer.from('<html><body>'), false],
    [Buffer.from([0, 0, 0]), false],
  ])('detects an ftyp box (%#)', (head, expected) => {
    expect(hasFtypBox(head)).toBe(expected);
  });
});
