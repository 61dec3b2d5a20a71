import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Exchange } from './context.js';

const JSON_LIMIT = 1024 * 1024;

export type JsonRead = { ok: true; value: unknown } | { ok: false; reason: string };

/** Reads a small JSON body (capped), recording it for assertions. */
export async function readJson(ex: Exchange): Promise<JsonRead> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ex.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > JSON_LIMIT) {
      await drain(ex.req);
      return { ok: false, reason: 'body too large' };
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    const value: unknown = JSON.parse(text);
    ex.record.body = value;
    return { ok: true, value };
  } catch {
    ex.record.body = text;
    return { ok: false, reason: 'body is not JSON' };
  }
}

/** Consumes an unread body so an early answer still reaches a client that is busy sending. */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}

/** Writes one chunk honouring a `slow` fault and back-pressure; false once the client is gone. */
export async function writeChunk(ex: Exchange, chunk: Buffer): Promise<boolean> {
  const { res } = ex;
  const slow = ex.fault?.kind === 'slow' ? ex.fault.bytesPerSecond : undefined;
  if (slow === undefined) {
    if (res.destroyed) return false;
    if (!res.write(chunk)) await waitDrain(ex);
    return !res.destroyed;
  }
  // Ten slices a second keeps the rate smooth without a timer per byte.
  const slice = Math.max(1, Math.floor(slow / 10));
  for (let i = 0; i < chunk.length; i += slice) {
    if (res.destroyed || ex.gone.aborted) return false;
    const part = chunk.subarray(i, i + slice);
    if (!res.write(part)) await waitDrain(ex);
    await ex.ctx.tasks.sleep((part.length / slow) * 1000, ex.gone);
  }
  return !res.destroyed;
}

function waitDrain(ex: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ex.res.off('drain', done);
      ex.res.off('close', done);
      resolve();
    };
    ex.res.on('drain', done);
    ex.res.on('close', done);
  });
}

export type Body = Buffer | { stream: Readable; length: number };

/** Sends an answer of known length, applying `slow` and `reset-midway` faults to its body. */
export async function deliver(
  ex: Exchange,
  status: number,
  headers: Record<string, string | number>,
  body: Body,
): Promise<void> {
  await drain(ex.req);
  const { res } = ex;
  if (res.destroyed) return;
  const length = Buffer.isBuffer(body) ? body.length : body.length;
  res.writeHead(status, { ...headers, 'content-length': length });
  if (ex.req.method === 'HEAD') {
    if (!Buffer.isBuffer(body)) body.stream.destroy();
    res.end();
    return;
  }
  const cutAt = ex.fault?.kind === 'reset-midway' ? Math.max(1, Math.floor(length / 2)) : Infinity;
  let sent = 0;
  const source: AsyncIterable<Buffer> | Iterable<Buffer> = Buffer.isBuffer(body)
    ? [body]
    : (body.stream as AsyncIterable<Buffer>);
  try {
    for await (const chunk of source) {
      const part = sent + chunk.length > cutAt ? chunk.subarray(0, cutAt - sent) : chunk;
      if (!(await writeChunk(ex, part))) break;
      sent += part.length;
      if (sent >= cutAt) {
        // Let the partial body reach the client before the connection dies.
        await new Promise<void>((resolve) => res.write('', () => resolve()));
        res.destroy();
        break;
      }
    }
  } finally {
    if (!Buffer.isBuffer(body)) body.stream.destroy();
  }
  if (!res.destroyed) res.end();
}

export function sendJson(
  ex: Exchange,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(body));
  return deliver(ex, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, bytes);
}
