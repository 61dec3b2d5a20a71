import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import { ResponseReader } from './response-reader.js';
import { SocketBody } from './socket-body.js';

/** Size of each reused read buffer: a filled one goes to the file in one write. */
export const READ_BUFFER = 1024 * 1024;
/** A buffer with less room than this left is handed on rather than read into again. */
const MIN_READ = 64 * 1024;

export interface BulkGet {
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** The body fails with `onIdle()`'s error once no byte arrives for this long (0: never). */
  idleMs: number;
  onIdle: () => Error;
  /** Size of the reused read buffers (tests make it small). */
  bufferBytes?: number;
}

export interface BulkGetAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: SocketBody;
}

/**
 * A GET on a connection of its own whose answer is read into a few reused buffers (the socket's
 * `onread`), instead of node:http's fresh 64 KiB buffer per read and per-chunk stream work: a 400 MiB
 * download then costs about what curl's does. The head and the body's framing are parsed by
 * ResponseReader; the body's bytes go to its reader as views of the filled buffer (SocketBody), and
 * the socket pauses while two buffers wait for their writes, so memory stays at a few buffers.
 * Resolves once the head arrives; the body is the caller's to read or destroy.
 */
export function bulkGet(req: BulkGet): Promise<BulkGetAnswer> {
  return new Promise((resolve, reject) => {
    if (req.signal.aborted) return reject(req.signal.reason as Error);
    const url = new URL(req.url);
    const head = requestHead(url, req.headers);
    const size = Math.max(req.bufferBytes ?? READ_BUFFER, 2 * MIN_READ);
    const free: Buffer[] = [];
    const take = () => free.pop() ?? Buffer.allocUnsafe(size);
    let current = take();
    let fill = 0;
    let slices: Buffer[] = [];
    let paused = false;
    let body: SocketBody | undefined;
    let failed = false;
    // Buffers lent to the body, by their memory, until the body gives them back.
    const owners = new Map<ArrayBuffer, Buffer>();

    const reader = new ResponseReader({
      head(statusCode, headers) {
        body = new SocketBody(
          {
            resume: () => {
              if (paused && !socket.destroyed) {
                paused = false;
                socket.resume();
              }
            },
          },
          (lentSlices) => {
            const buffer = lentSlices[0]?.buffer;
            const owner = owners.get(buffer as ArrayBuffer);
            if (owner) {
              owners.delete(buffer as ArrayBuffer);
              free.push(owner);
            }
          },
        );
        body.once('close', () => socket.destroy());
        if (req.idleMs > 0) socket.setTimeout(req.idleMs, () => fail(req.onIdle()));
        resolve({ statusCode, headers, body });
      },
      body(bytes) {
        slices.push(bytes);
      },
      end() {
        // Handed on below, once this read's slices are in.
      },
    });

    /** Hands the current buffer's body bytes on; false when the socket should pause. */
    const handOn = (): boolean => {
      if (slices.length === 0) {
        fill = 0;
        return true;
      }
      owners.set(current.buffer as ArrayBuffer, current);
      const batch = slices;
      slices = [];
      current = take();
      fill = 0;
      return body!.offer(batch);
    };

    const onread = (n: number): boolean => {
      try {
        reader.feed(current, fill, n);
      } catch (err) {
        fail(err as Error);
        return false;
      }
      fill += n;
      let more = true;
      if (reader.done) {
        // Whatever the server sends past the body's end is not read: the connection is done.
        handOn();
        body?.finish();
        socket.destroy();
        return false;
      }
      // Before the head, nothing is lent: the buffer is read into from the start again.
      if (!body) {
        if (size - fill < MIN_READ) fill = 0;
        return true;
      }
      if (size - fill < MIN_READ) more = handOn();
      if (!more) paused = true;
      return more;
    };

    const options = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      onread: { buffer: () => current.subarray(fill), callback: onread },
    };
    const socket: Socket =
      url.protocol === 'https:'
        ? tlsConnect({ ...options, servername: isIP(options.host) ? undefined : options.host })
        : tcpConnect(options);

    function fail(err: Error): void {
      if (failed) return;
      failed = true;
      socket.destroy();
      if (body) body.destroy(err);
      else reject(err);
    }

    const abort = () => fail(req.signal.reason as Error);
    req.signal.addEventListener('abort', abort, { once: true });
    socket.once('close', () => req.signal.removeEventListener('abort', abort));
    socket.on('error', (err) => {
      if (!reader.done) fail(err);
    });
    socket.on('end', () => {
      if (reader.done) return;
      try {
        reader.eof();
        handOn();
        body?.finish();
      } catch (err) {
        fail(err as Error);
      }
    });
    socket.once('close', () => {
      if (!reader.done) fail(Object.assign(new Error('The connection closed'), { code: 'ECONNRESET' }));
    });
    socket.write(head);
  });
}

/** The request line and headers; a header that would break the framing is refused, unnamed. */
function requestHead(url: URL, headers: Record<string, string>): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n:]/.test(name) || /[\r\n]/.test(value))
      throw new TypeError('A request header holds a line break');
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}
