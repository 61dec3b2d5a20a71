import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { ResponseFramingError, ResponseReader } from '../../../src/engines/nemo/response-reader.js';

interface Read {
  status?: number;
  headers?: IncomingHttpHeaders;
  body: string;
  ended: boolean;
  /** Every body view pointed into the buffer the reader was given. */
  viewsInPlace: boolean;
  error?: ResponseFramingError;
}

/**
 * Feeds `parts` as separate reads, each copied into one reused read buffer at an offset (as the
 * connection does), and copies body bytes out at once, as a writer must before the buffer is reused.
 */
function read(parts: string[], eof: boolean): Read {
  const out: Read = { body: '', ended: false, viewsInPlace: true };
  const shared = Buffer.alloc(4096, 0x2a);
  const reader = new ResponseReader({
    head(status, headers) {
      expect(out.status).toBeUndefined();
      out.status = status;
      out.headers = headers;
    },
    body(bytes) {
      if (bytes.buffer !== shared.buffer) out.viewsInPlace = false;
      out.body += bytes.toString('latin1');
    },
    end() {
      expect(out.ended).toBe(false);
      out.ended = true;
    },
  });
  try {
    let at = 7;
    for (const part of parts) {
      if (at + part.length > shared.length) at = 0;
      shared.write(part, at, 'latin1');
      reader.feed(shared, at, part.length);
      shared.fill(0x2a, at, at + part.length); // the buffer is reused: stale bytes must not matter
      at += part.length;
    }
    if (eof) reader.eof();
  } catch (err) {
    if (!(err instanceof ResponseFramingError)) throw err;
    out.error = err;
  }
  return out;
}

/** Every way to cut `text` in two reads. */
function splits(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

const sized =
  'HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 10\r\nX-Twice: a\r\nx-twice: b\r\n' +
  'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n0123456789';
const chunked =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '4\r\nWiki\r\n6;name=value\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n';
const closeDelimited =
  'HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nConnection: close\r\n\r\nevery byte until close';

describe('ResponseReader', () => {
  it.each([
    ['a Content-Length body', sized, false, '0123456789'],
    ['a chunked body (extensions, trailers)', chunked, false, 'Wikipedia in \r\n\r\nchunks.'],
    ['a body that ends with the connection', closeDelimited, true, 'every byte until close'],
  ])('reads %s whole, however the reads cut it', (_name, text, eof, body) => {
    const cuts = [[text], ...splits(text), text.split('')];
    for (const parts of cuts) {
      const got = read(parts, eof);
      expect(got.error, JSON.stringify(parts)).toBeUndefined();
      expect(got).toMatchObject({ status: 200, body, ended: true, viewsInPlace: true });
    }
  });

  it('presents headers as node:http does: lower-case names, repeats joined, set-cookie a list', () => {
    expect(read([sized], false).headers).toEqual({
      'content-type': 'video/mp4',
      'content-length': '10',
      'x-twice': 'a, b',
      'set-cookie': ['a=1', 'b=2'],
    });
  });

  it('a close-delimited body ends only when the connection does', () => {
    expect(read([closeDelimited], false)).toMatchObject({ ended: false, body: 'every byte until close' });
  });

  it.each([
    ['bytes', 'abcdeTRAILING GARBAGE\r\n\r\n'],
    ['a whole second answer', 'abcdeHTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nxyz'],
    ['a malformed line', 'abcde\r\nHTTP/9 bad\r\n\r\n'],
  ])('stops at Content-Length: %s sent past the end are ignored', (_name, rest) => {
    const text = `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n${rest}`;
    for (const parts of [[text], ...splits(text)]) {
      const got = read(parts, true);
      expect(got.error).toBeUndefined();
      expect(got).toMatchObject({ status: 200, body: 'abcde', ended: true });
    }
  });

  it('skips interim (1xx) answers and reads the final one', () => {
    const text =
      'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    for (const parts of [[text], ...splits(text)])
      expect(read(parts, false)).toMatchObject({ status: 200, body: 'ok', ended: true });
  });

  it.each([
    ['204', 'HTTP/1.1 204 No Content\r\n\r\n'],
    ['Content-Length: 0', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ])('an empty body (%s) ends with its head', (_name, text) => {
    expect(read([text], false)).toMatchObject({ body: '', ended: true });
  });

  it.each([
    ['a Content-Length body', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234'],
    ['a chunked body', chunked.slice(0, chunked.indexOf('chunks.'))],
    ['a head', 'HTTP/1.1 200 OK\r\nContent-Len'],
    ['a status line', 'HTTP/1.'],
    ['nothing at all', ''],
  ])('the connection closing inside %s is an error, never a short body that looks whole', (_name, text) => {
    const got = read(text ? [text] : [], true);
    expect(got.ended).toBe(false);
    expect(got.error?.code).toBe('ECONNRESET');
  });

  it('a chunked body cut at any point before its last chunk is an error', () => {
    const end = chunked.indexOf('0\r\nX-Trailer');
    for (let i = chunked.indexOf('\r\n\r\n') + 4; i <= end; i++) {
      const got = read([chunked.slice(0, i)], true);
      expect(got.error?.code, `cut at ${i}`).toBe('ECONNRESET');
    }
  });

  it.each([
    ['a malformed status line', 'HTTP/1.1 2OO OK\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    [
      'a transfer encoding other than chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
      'HPE_UNSUPPORTED',
    ],
    [
      'two different lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    [
      'a chunk without its line end',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n',
      'HPE_INVALID',
    ],
    [
      'a chunk size that is not a number',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\nabc\r\n0\r\n\r\n',
      'HPE_INVALID_CHUNK_SIZE',
    ],
  ])('refuses %s with a framing error', (_name, text, code) => {
    const got = read([text], false);
    expect(got.ended).toBe(false);
    expect(got.error?.code).toBe(code);
  });
});
