import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeVideo } from '../../helpers/media.js';
import { ApiError } from '../../../src/core/errors.js';
import { bulkRequest } from '../../../src/engines/nemo/bulk-transport.js';
import { multipartFileBody } from '../../../src/engines/nemo/multipart.js';
import { readText } from '../../../src/engines/nemo/http-request-parts.js';
import { clientWithSession, makeClient, startWorld, type World } from './harness.js';

// Uploads and downloads go over node:http on a connection of their own (bulk-transport.ts): these
// are its branches, against real loopback servers (the emulator, and a CDN whose faults are exact).

let world: World;
let mp4: Buffer;
let cdn: { server: Server; base: string; hits: number; closed: number } | undefined;

beforeEach(async () => {
  world = await startWorld();
  // A real MP4 header followed by enough bytes that a body takes many socket reads.
  const clip = await readFile(await makeVideo(join(world.dir, 'clip.mp4'), { durationSec: 1 }));
  mp4 = Buffer.concat([clip, Buffer.alloc(3 * 2 ** 20, 7)]);
});
afterEach(async () => {
  if (cdn) await new Promise((r) => cdn!.server.close(r));
  cdn = undefined;
  await world.close();
});

/** A CDN on loopback; `serve` answers the n-th request (1-based). */
async function startCdn(serve: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const state = { server: createServer(), base: '', hits: 0, closed: 0 };
  state.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    state.hits++;
    req.socket.once('close', () => state.closed++);
    serve(state.hits, req, res);
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  state.base = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  cdn = state;
  return state;
}

/** Sends the head and the first half of the body, then `then` (cut the connection, or stay silent). */
function halfThen(res: ServerResponse, then: 'cut' | 'silence'): void {
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': mp4.length });
  res.write(mp4.subarray(0, mp4.length / 2), () => {
    if (then === 'cut') setTimeout(() => res.socket?.destroy(), 20);
  });
}

/** Client options for a test about one answer: no retries, which would hide it. */
const ONE_TRY = { retry: { baseMs: 10, maxMs: 20, rateLimitMs: 20, maxAttempts: 1 } };

const leftovers = async () => (await readdir(world.dir)).filter((f) => f.startsWith('.out.mp4'));

describe('downloads over their own connection', () => {
  it('a body cut short is fetched again, and the file is whole', async () => {
    const server = await startCdn((n, _req, res) => (n === 1 ? halfThen(res, 'cut') : res.end(mp4)));
    const dest = join(world.dir, 'out.mp4');
    expect(await makeClient(world).download(`${server.base}/a.mp4`, dest)).toBe(mp4.length);
    expect((await readFile(dest)).equals(mp4)).toBe(true);
    expect(server.hits).toBe(2);
    expect(await leftovers()).toEqual([]);
  });

  it('a body that keeps breaking off fails as NETWORK (retryable) and leaves nothing behind', async () => {
    const server = await startCdn((_n, _req, res) => halfThen(res, 'cut'));
    const client = makeClient(world, { retry: { baseMs: 10, maxMs: 20, rateLimitMs: 20, maxAttempts: 2 } });
    const dest = join(world.dir, 'out.mp4');
    const err = (await client.download(`${server.base}/a.mp4`, dest).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('NETWORK');
    expect(err.retryable).toBe(true);
    expect(server.hits).toBe(2);
    expect(await readdir(world.dir)).not.toContain('out.mp4');
    expect(await leftovers()).toEqual([]);
  });

  it('a body that goes silent midway fails after the idle limit (reason idle), then is fetched again', async () => {
    // Requests 1 and 3 go silent after half the body; request 2 gets it all.
    const server = await startCdn((n, _req, res) => (n === 2 ? res.end(mp4) : halfThen(res, 'silence')));
    const client = makeClient(world, { transferIdleMs: 400 });
    const dest = join(world.dir, 'out.mp4');
    expect(await client.download(`${server.base}/a.mp4`, dest)).toBe(mp4.length);
    expect((await readFile(dest)).equals(mp4)).toBe(true);
    expect(server.hits).toBe(2);

    const once = makeClient(world, {
      transferIdleMs: 400,
      ...ONE_TRY,
    });
    const err = (await once
      .download(`${server.base}/b.mp4`, join(world.dir, 'out2.mp4'))
      .catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('NETWORK');
    expect(err.context).toMatchObject({ endpoint: 'download', reason: 'idle' });
    expect(server.hits).toBe(3);
  });

  it('a 200 whose body is not an MP4 is DOWNLOAD_INVALID and never lands', async () => {
    const server = await startCdn((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    const client = makeClient(world, ONE_TRY);
    const dest = join(world.dir, 'out.mp4');
    const err = (await client.download(`${server.base}/a.mp4`, dest).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('DOWNLOAD_INVALID');
    expect(await readdir(world.dir)).not.toContain('out.mp4');
    expect(await leftovers()).toEqual([]);
  });

  it('an abort midway stops at once with the caller’s reason, closes the connection and leaves nothing', async () => {
    const stop = new AbortController();
    const server = await startCdn((_n, _req, res) => {
      halfThen(res, 'silence');
      setTimeout(() => stop.abort(new Error('stopping for the test')), 100);
    });
    const dest = join(world.dir, 'out.mp4');
    const err = await makeClient(world)
      .download(`${server.base}/a.mp4`, dest, { signal: stop.signal })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('stopping for the test');
    expect(server.hits).toBe(1);
    await expect.poll(() => server.closed, { timeout: 5000 }).toBe(1);
    expect(await readdir(world.dir)).not.toContain('out.mp4');
    expect(await leftovers()).toEqual([]);
  });

  it('a 5xx answer is read and retried like any API answer', async () => {
    const server = await startCdn((n, _req, res) => {
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'busy' }));
      } else res.end(mp4);
    });
    const dest = join(world.dir, 'out.mp4');
    expect(await makeClient(world).download(`${server.base}/a.mp4`, dest)).toBe(mp4.length);
    expect(server.hits).toBe(2);
  });
});

describe('uploads over their own connection', () => {
  it('an abort mid-upload stops with the caller’s reason and the emulator keeps no file', async () => {
    const path = join(world.dir, 'big.mp4');
    await writeFile(path, Buffer.concat([mp4, Buffer.alloc(60 * 2 ** 20, 1)]));
    const { client, sessionId } = await clientWithSession(world);
    const stop = new AbortController();
    let sent = 0;
    const err = await client
      .uploadFile(sessionId, path, {
        signal: stop.signal,
        onProgress: (n) => {
          sent = n;
          if (n > 8 * 2 ** 20) stop.abort(new Error('stopping for the test'));
        },
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('stopping for the test');
    expect(sent).toBeLessThan(60 * 2 ** 20);
    const state = await client.state(sessionId);
    expect(JSON.stringify(state)).not.toContain('big.mp4');
  });

  it('sends a file of many reads byte for byte (the reused read buffers never mix)', async () => {
    const path = join(world.dir, 'pattern.mp4');
    const pattern = Buffer.alloc(9 * 2 ** 20 + 12345);
    for (let i = 0; i + 4 <= pattern.length; i += 4) pattern.writeUInt32LE(i, i);
    await writeFile(path, Buffer.concat([mp4, pattern]));
    const { client, sessionId } = await clientWithSession(world);
    const [file] = await client.uploadFile(sessionId, path);
    const dest = join(world.dir, 'back.mp4');
    await client.download(file!.cdnUrl, dest);
    expect((await readFile(dest)).equals(Buffer.concat([mp4, pattern]))).toBe(true);
  });

  it('a server that reads slowly gets every byte in place: a read buffer is reused only once the socket took it', async () => {
    const path = join(world.dir, 'pattern.mp4');
    const pattern = Buffer.alloc(12 * 2 ** 20);
    for (let i = 0; i + 4 <= pattern.length; i += 4) pattern.writeUInt32LE(i, i);
    await writeFile(path, pattern);
    const body = multipartFileBody(path, pattern.length);
    // Takes each chunk a little late, so the client's writes queue behind a full socket.
    const server = await startCdn((_n, req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        req.pause();
        setTimeout(() => req.resume(), 2);
      });
      req.on('end', () => res.end(String(Buffer.concat(chunks).includes(pattern))));
    });
    const sent: number[] = [];
    const answer = await bulkRequest({
      url: `${server.base}/upload`,
      method: 'POST',
      headers: { 'Content-Type': body.contentType, 'Content-Length': String(body.contentLength) },
      body,
      signal: new AbortController().signal,
      idleMs: 0,
      onSent: (n) => sent.push(n),
    });
    expect(answer.statusCode).toBe(200);
    expect(await readText(answer.body)).toBe('true');
    expect(sent.reduce((a, b) => a + b, 0)).toBe(body.contentLength);
  });
});

describe('downloads sent on by a redirect', () => {
  it.each([301, 302, 303, 307, 308])(
    'a %i to another path is followed, and the file is the one it points at',
    async (status) => {
      const server = await startCdn((n, req, res) => {
        if (n === 1) {
          // A body that never ends: only the client closing the connection ends this exchange.
          res.writeHead(status, { location: '/signed/b.mp4?sig=2', 'content-length': 100_000 });
          return void res.write(Buffer.alloc(10));
        }
        expect(req.url).toBe('/signed/b.mp4?sig=2');
        res.end(mp4);
      });
      const dest = join(world.dir, 'out.mp4');
      expect(await makeClient(world).download(`${server.base}/a.mp4`, dest)).toBe(mp4.length);
      expect((await readFile(dest)).equals(mp4)).toBe(true);
      expect(server.hits).toBe(2);
      expect(await leftovers()).toEqual([]);
      // The redirect's connection was closed, not left open beside the download's.
      await expect.poll(() => server.closed, { timeout: 3000 }).toBe(2);
    },
  );

  it('the token goes on to the same origin, never to another one', async () => {
    const seen: { where: string; auth: string | undefined }[] = [];
    const other = createServer((req, res) => {
      seen.push({ where: 'other', auth: req.headers.authorization });
      res.end(mp4);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const server = await startCdn((n, req, res) => {
        seen.push({ where: `api ${n}`, auth: req.headers.authorization });
        res.writeHead(302, { location: n === 1 ? '/again.mp4' : `${otherBase}/elsewhere.mp4` });
        res.end();
      });
      const answer = await bulkRequest({
        url: `${server.base}/a.mp4`,
        method: 'GET',
        headers: { Authorization: 'Bearer tok-secret', 'X-Skill-Source': 'test' },
        signal: new AbortController().signal,
        idleMs: 30_000,
      });
      expect(answer.statusCode).toBe(200);
      answer.body.destroy();
      expect(seen).toEqual([
        { where: 'api 1', auth: 'Bearer tok-secret' },
        { where: 'api 2', auth: 'Bearer tok-secret' },
        { where: 'other', auth: undefined },
      ]);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('a redirect loop stops after 5 hops with a message that says so', async () => {
    const server = await startCdn((n, _req, res) => {
      res.writeHead(302, { location: `/hop-${n}.mp4` });
      res.end();
    });
    const client = makeClient(world, ONE_TRY);
    const dest = join(world.dir, 'out.mp4');
    const err = (await client.download(`${server.base}/a.mp4`, dest).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/redirected more than 5 times/);
    expect(server.hits).toBe(6);
    expect(await readdir(world.dir)).not.toContain('out.mp4');
    expect(await leftovers()).toEqual([]);
  });

  it('a 401 from the host a download was sent on to is that host refusing, not the token: the token is kept', async () => {
    const server = await startCdn((_n, _req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 1001, message: 'Signature expired' }));
    });
    const client = makeClient(world, ONE_TRY);
    await client.credits();
    const tokensBefore = world.emu.count('token');
    // The render's address on the API's own origin sends the client on to a signed storage URL.
    world.emu.inject('download', { kind: 'redirect', to: `${server.base}/signed.mp4?X-Signature=s3cr3t` });
    const dest = join(world.dir, 'out.mp4');
    const err = (await client
      .download(`${world.emu.url}/cdn/renders/r_1/r_1.mp4`, dest)
      .catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).not.toBe('TOKEN_INVALID');
    expect(err.message).toContain(new URL(server.base).host);
    expect(JSON.stringify({ m: err.message, h: err.hint, c: err.context })).not.toMatch(/s3cr3t/);
    // The token was not thrown away: the next API call uses it, no new one is taken.
    await client.credits();
    expect(world.emu.count('token')).toBe(tokensBefore);
    expect(await readdir(world.dir)).not.toContain('out.mp4');
  });

  it('a redirect without a Location is an error answer, not a download', async () => {
    const server = await startCdn((_n, _req, res) => {
      res.writeHead(302, { 'content-type': 'text/plain' });
      res.end('nowhere');
    });
    const client = makeClient(world, ONE_TRY);
    const dest = join(world.dir, 'out.mp4');
    const err = await client.download(`${server.base}/a.mp4`, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(await readdir(world.dir)).not.toContain('out.mp4');
  });
});
