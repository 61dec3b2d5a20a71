import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { EmulatorContext } from './context.js';
import { extensionOf, fileTypeOf } from './file-types.js';
import type { Receipt } from './upload-multipart.js';
import type { Received } from './upload-media.js';

const FETCH_TIMEOUT_MS = 60_000;

class TooLarge extends Error {}

/**
 * JSON upload `{"urls":[…],"source_type":"url"}`: each URL is fetched and streamed to disk. A URL
 * that cannot be fetched (there is no internet here) is still accepted, with unknown facts.
 */
export async function receiveUrls(ctx: EmulatorContext, urls: string[]): Promise<Receipt> {
  const receipt: Receipt = { files: [] };
  for (const url of urls) {
    const filename = filenameOf(url);
    const fileType = fileTypeOf(filename);
    if (!fileType) return { files: receipt.files, refused: 4001 };
    const id = `f_${ctx.random.hex(16)}`;
    const path = join(ctx.workDir, 'uploads', `${id}.${extensionOf(filename)}`);
    const file: Received = { id, filename, fileType, size: 0, sourceUrl: url };
    receipt.files.push(file);
    try {
      file.size = await fetchTo(ctx, url, path);
      file.path = path;
    } catch (err) {
      if (err instanceof TooLarge) return { files: receipt.files, refused: 4002 };
    }
  }
  return receipt;
}

function filenameOf(url: string): string {
  try {
    return decodeURIComponent(basename(new URL(url).pathname)) || 'upload';
  } catch {
    return basename(url);
  }
}

async function fetchTo(ctx: EmulatorContext, url: string, path: string): Promise<number> {
  const max = ctx.options.maxUploadBytes;
  const res = await fetch(url, {
    signal: AbortSignal.any([AbortSignal.timeout(FETCH_TIMEOUT_MS), ctx.tasks.signal]),
  });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body.cancel();
    throw new TooLarge();
  }
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > max ? new TooLarge() : null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
    counter,
    createWriteStream(path),
  );
  return size;
}
