import busboy from 'busboy';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Exchange } from './context.js';
import { extensionOf, fileTypeOf } from './file-types.js';
import type { Received } from './upload-media.js';

export interface Receipt {
  files: Received[];
  /** 4001 or 4002 when some part was refused; every part is still read to the end. */
  refused?: 4001 | 4002;
  aborted?: boolean;
}

/** Streams each `files` part straight to disk: the emulator never holds an upload in memory. */
export async function receiveMultipart(ex: Exchange): Promise<Receipt> {
  const { ctx } = ex;
  const receipt: Receipt = { files: [] };
  const parts: { field: string; filename: string; mimeType: string; size: number }[] = [];
  ex.record.body = { parts };
  const saving: Promise<void>[] = [];
  const parser = busboy({
    headers: ex.req.headers,
    limits: { fileSize: ctx.options.maxUploadBytes, files: 50 },
  });
  parser.on('file', (field, stream, info) => {
    const part = { field, filename: info.filename ?? '', mimeType: info.mimeType, size: 0 };
    parts.push(part);
    stream.on('data', (chunk: Buffer) => (part.size += chunk.length));
    const fileType = fileTypeOf(part.filename);
    if (field !== 'files' || !fileType) {
      if (field === 'files') receipt.refused ??= 4001;
      stream.resume();
      return;
    }
    const id = `f_${ctx.random.hex(16)}`;
    const path = join(ctx.workDir, 'uploads', `${id}.${extensionOf(part.filename)}`);
    const file: Received = { id, filename: part.filename, fileType, path, size: 0 };
    receipt.files.push(file);
    stream.on('limit', () => (receipt.refused = 4002));
    saving.push(
      pipeline(stream, createWriteStream(path)).then(
        () => void (file.size = part.size),
        () => void (receipt.aborted = true),
      ),
    );
  });
  try {
    await pipeline(ex.req, parser);
  } catch {
    receipt.aborted = true;
  }
  await Promise.all(saving);
  return receipt;
}
