import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import { dispositionFilename, mimeType, multipartFileBody } from '../../../src/engines/nemo/multipart.js';
import { hasFtypBox } from '../../../src/engines/nemo/mp4-check.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-multipart-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(iter: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of iter) parts.push(Buffer.from(c));
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
