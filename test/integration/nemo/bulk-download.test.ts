import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bulkGet, type BulkGet } from '../../../src/engines/nemo/bulk-download.js';
import { readText } from '../../../src/engines/nemo/http-request-parts.js';

// The download's own HTTP/1.1 client (bulk-download.ts): a real loopback server writes exact bytes,
// split and paced as a test needs, so each framing and each awkward read boundary is met for real.

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

/** A server that runs `answer` for each connection once the request's head has arrived. */
async function serve(answer: (socket: Socket, head: string) => Promise<void> | void): Promise<string> {
  server = createServer((socket) => {
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      void Promise.resolve(answer(socket, head)).catch(() => socket.destroy());
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v/a.mp4?sig=1`;
}

/** Distinct bytes, so a byte out of place shows. */
function pattern(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

/** Writes `data` in pieces of `sizes` (cycled), waiting for each to drain. */
async function writeInPieces(socket: Socket, data: Buffer | string, sizes: number[], pauseMs = 0) {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    if (!socket.write(bytes.subarray(at, at + n))) await new Promise((r) => socket.once('drain', r));
    at += n;
    if (pauseMs) await sleep(pauseMs);
  }
}

const get = (url: string, extra: Partial<BulkGet> = {}) =>
  bulkGet({
    url,
    headers: { 'X-Skill-Source': 'test' },
    signal: new AbortController().signal,
    idleMs: 30_000,
    onIdle: () => new Error('idle'),
    bufferBytes: 128 * 1024,
    ...extra,
  });

/** Lends the body to a writer that copies each batch (after `delayMs`) and notes which buffers it saw. */
async function lendAll(body: Awaited<ReturnType<typeof get>>['body'], delayMs = 0) {
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  const length = await body.lend(async (slices) => {
    if (delayMs) await sleep(delayMs);
    for (const s of slices) {
      buffers.add(s.buffer);
      parts.push(Buffer.from(s));
    }
  });
  return { data: Buffer.concat(parts), length, buffers: buffers.size };
}

describe('bulkGet: the download’s own HTTP/1.1 reader', () => {
  it('sends the path, query, host and headers, and reads a Content-Length body many buffers long', async () => {
    const data = pattern(3 * 2 ** 20 + 5);
    let seen = '';
    const url = await serve(async (socket, head) => {
      seen = head;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: ${data.length}\r\n\r\n`);
      await writeInPieces(socket, data, [65536, 1000, 300000]);
    });
    const answer = await get(url);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-length']).toBe(String(data.length));
    const got = await lendAll(answer.body);
    expect(got.length).toBe(data.length);
    expect(got.data.equals(data)).toBe(true);
    // The reads went into a few reused buffers, never one per read.
    expect(got.buffers).toBeLessThanOrEqual(4);
    expect(seen).toMatch(/^GET \/v\/a\.mp4\?sig=1 HTTP\/1\.1\r\n/);
    expect(seen).toContain(`\r\nHost: ${new URL(url).host}\r\n`);
    expect(seen).toContain('\r\nConnection: close\r\n');
    expect(seen).toContain('\r\nX-Skill-Source: test\r\n');
  });

  it('a writer slower than the network pauses the socket: every byte lands in order, in a few buffers', async () => {
    const data = pattern(2 * 2 ** 20 + 77);
    const url = await serve(async (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
      await writeInPieces(socket, data, [256 * 1024]);
    });
    const got = await lendAll((await get(url)).body, 15);
    expect(got.data.equals(data)).toBe(true);
    expect(got.buffers).toBeLessThanOrEqual(4);
  });

  it('reads a chunked body larger than its buffer, chunk edges anywhere', async () => {
    const data = pattern(900 * 1024 + 3);
    const url = await serve(async (socket) => {
      let text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
      const chunks: Buffer[] = [];
      for (let at = 0, n = 1; at < data.length; at += n, n = (n * 7 + 13) % 70_000 || 1) {
        const piece = data.subarray(at, at + n);
        chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
      }
      chunks.push(Buffer.from('0\r\n\r\n'));
      socket.write(text);
      text = '';
      await writeInPieces(socket, Buffer.concat(chunks), [50_000, 3, 131_072]);
    });
    const got = await lendAll((await get(url)).body);
    expect(got.data.equals(data)).toBe(true);
  });

  it('reads a body that ends with the connection (no length, not chunked)', async () => {
    const data = pattern(600 * 1024 + 9);
    const url = await serve(async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n\r\n');
      await writeInPieces(socket, data, [40_000]);
      socket.end();
    });
    const got = await lendAll((await get(url)).body);
    expect(got.data.equals(data)).toBe(true);
  });

  it('an answer split inside the status line, inside a header and between head and body reads whole', async () => {
    const data = pattern(200 * 1024);
    const head = `HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: ${data.length}\r\n\r\n`;
    const cuts = [
      5,
      12,
      head.indexOf('Type') + 2,
      head.indexOf('Length: ') + 9,
      head.length - 1,
      head.length,
    ];
    const url = await serve(async (socket) => {
      socket.setNoDelay(true);
      const whole = Buffer.concat([Buffer.from(head, 'latin1'), data]);
      let at = 0;
      for (const cut of [...cuts, head.length + 1, head.length + 70_000, whole.length]) {
        socket.write(whole.subarray(at, cut));
        at = cut;
        await sleep(30); // each piece its own read
      }
    });
    const answer = await get(url);
    expect(answer.headers['content-type']).toBe('video/mp4');
    expect((await lendAll(answer.body)).data.equals(data)).toBe(true);
  });

  it('a server that sends more than Content-Length: the body stops at its length', async () => {
    const data = pattern(300 * 1024);
    const url = await serve(async (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`);
      await writeInPieces(socket, Buffer.concat([data, Buffer.alloc(500 * 1024, 0xee)]), [100_000]);
    });
    const got = await lendAll((await get(url)).body);
    expect(got.length).toBe(data.length);
    expect(got.data.equals(data)).toBe(true);
  });

  it('read as a plain stream (an error answer), the body comes as copies', async () => {
    const data = pattern(400 * 1024);
    const url = await serve(async (socket) => {
      socket.write(
        `HTTP/1.1 503 Busy\r\nContent-Type: application/octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
      );
      await writeInPieces(socket, data, [64 * 1024]);
    });
    const answer = await get(url);
    expect(answer.statusCode).toBe(503);
    const chunks: Buffer[] = [];
    for await (const c of answer.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
  });

  it('a short text answer reads as text', async () => {
    const url = await serve((socket) => {
      socket.end(
        'HTTP/1.1 500 Oops\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"error":"x"}',
      );
    });
    const answer = await get(url);
    expect(answer.statusCode).toBe(500);
    expect(await readText(answer.body)).toBe('{"error":"x"}');
  });

  it('a connection cut before the body’s end fails the body (ECONNRESET)', async () => {
    const url = await serve((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`);
    });
    const err = await lendAll((await get(url)).body).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('a failing writer fails the body with its error and closes the connection', async () => {
    let closed = false;
    const url = await serve(async (socket) => {
      socket.once('close', () => (closed = true));
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${10 * 2 ** 20}\r\n\r\n`);
      await writeInPieces(socket, Buffer.alloc(10 * 2 ** 20), [2 ** 20]).catch(() => undefined);
    });
    const answer = await get(url);
    const err = await answer.body
      .lend(() => Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' })))
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('disk full');
    await expect.poll(() => closed, { timeout: 10_000 }).toBe(true);
  });

  it('an abort before the head rejects with the caller’s reason', async () => {
    const url = await serve(() => undefined); // never answers
    const stop = new AbortController();
    const pending = get(url, { signal: stop.signal });
    setTimeout(() => stop.abort(new Error('stopping for the test')), 50);
    await expect(pending).rejects.toThrow('stopping for the test');
  });

  it('an idle body fails with the idle error', async () => {
    const url = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
    });
    const answer = await get(url, { idleMs: 200, onIdle: () => new Error('went idle') });
    await expect(lendAll(answer.body)).rejects.toThrow('went idle');
  });

  it('a refused connection rejects with its code; a header with a line break is refused unsent', async () => {
    const url = await serve(() => undefined);
    await new Promise((r) => server!.close(r));
    server = undefined;
    const err = await get(url).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await expect(get(url, { headers: { Authorization: 'Bearer secret\r\nX: y' } })).rejects.toThrow(
      /^A request header holds a line break$/,
    );
  });
});
