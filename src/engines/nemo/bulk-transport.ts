import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { StreamBody } from './http-types.js';
import { bulkGet } from './bulk-download.js';
import { nextHop, type Hop } from './redirects.js';

/**
 * Bytes of a request body queued on the connection before the sender waits for it to drain: room
 * for a few of the source's chunks, so the next read from disk runs while the socket sends.
 */
const WRITE_AHEAD = 4 * 1024 * 1024;

/** One large transfer: an upload's body goes out, or a download's body comes in. */
export interface BulkRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: StreamBody;
  signal: AbortSignal;
  /** The answer's body fails with code BODY_TIMEOUT once no byte arrives for this long (0: never). */
  idleMs: number;
  /** Called with each chunk of the body once the socket has taken it. */
  onSent?: (bytes: number) => void;
}

export interface BulkAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The address that answered: the request's, or where its redirects led. */
  url: string;
}

/** The answer's body went silent for longer than the idle limit. */
export class BodyTimeoutError extends Error {
  override readonly name = 'BodyTimeoutError';
  readonly code = 'BODY_TIMEOUT';
  constructor(ms: number) {
    super(`No data for ${ms} ms`);
  }
}

/**
 * Sends one request on a connection of its own, for the two large transfers. A download (a GET
 * without a body) is read into reused buffers by bulk-download.ts. An upload goes over node:http(s):
 * each chunk is written with a callback, so the body's read buffers go back to the source as soon as
 * the socket has them (no fresh buffer per read). Resolves once the answer's headers arrive; the body
 * is the caller's to read or destroy.
 */
export function bulkRequest(req: BulkRequest): Promise<BulkAnswer> {
  // A download reads its answer into reused buffers of its own (bulk-download.ts).
  if (req.method === 'GET' && !req.body) return getFollowing(req);
  return new Promise((resolve, reject) => {
    const send = new URL(req.url).protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(req.url, {
      method: req.method,
      headers: req.headers,
      signal: req.signal,
      agent: false,
    });
    // Stops the body's source when the request is gone (an error, an abort, an early close).
    const lender = new AbortController();
    outgoing.on('error', (err) => {
      lender.abort(err);
      reject(err);
    });
    outgoing.once('close', () => lender.abort());
    outgoing.once('response', (res) => {
      const stop = () => res.destroy(req.signal.reason as Error);
      req.signal.addEventListener('abort', stop, { once: true });
      res.once('close', () => req.signal.removeEventListener('abort', stop));
      if (req.idleMs > 0)
        res.socket.setTimeout(req.idleMs, () => res.destroy(new BodyTimeoutError(req.idleMs)));
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
    });
    if (req.body) void sendBody(outgoing, req.body, lender.signal, req.onSent);
    else outgoing.end();
  });
}

/**
 * A download, following redirects as curl -L or a browser would (a render's address may send the
 * client on to a CDN or a signed storage URL); see redirects.ts for what is refused.
 */
async function getFollowing(req: BulkRequest): Promise<BulkAnswer> {
  let hop: Hop = { url: req.url, headers: req.headers };
  for (let followed = 0; ; followed++) {
    const answer = await bulkGet({ ...req, ...hop, onIdle: () => new BodyTimeoutError(req.idleMs) });
    let next: Hop | undefined;
    try {
      next = nextHop(hop, answer.statusCode, answer.headers.location, followed);
    } catch (err) {
      answer.body.destroy();
      throw err;
    }
    if (!next) return { ...answer, url: hop.url };
    answer.body.destroy();
    hop = next;
  }
}

async function sendBody(
  outgoing: ClientRequest,
  body: StreamBody,
  gone: AbortSignal,
  onSent: ((bytes: number) => void) | undefined,
): Promise<void> {
  try {
    for await (const chunk of body.open(gone)) {
      const n = chunk.bytes.byteLength;
      const more = outgoing.write(chunk.bytes, (err) => {
        chunk.release();
        if (!err) onSent?.(n);
      });
      if (!more && outgoing.writableLength >= WRITE_AHEAD) await drained(outgoing, gone);
    }
    outgoing.end();
  } catch (err) {
    outgoing.destroy(err as Error);
  }
}

function drained(outgoing: ClientRequest, gone: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      outgoing.off('drain', done);
      gone.removeEventListener('abort', fail);
      resolve();
    };
    const fail = () => {
      outgoing.off('drain', done);
      reject(gone.reason instanceof Error ? gone.reason : new Error('request closed'));
    };
    if (gone.aborted) return fail();
    outgoing.on('drain', done);
    gone.addEventListener('abort', fail, { once: true });
  });
}
