import type { IncomingHttpHeaders } from 'node:http';
import { HTTPParser } from 'http-parser-js';

/** What a response reader hands on as it parses. */
export interface ResponseEvents {
  /** The final (non-1xx) status line and headers, once. */
  head(statusCode: number, headers: IncomingHttpHeaders): void;
  /** Body bytes: a view into the buffer given to `feed`, valid until that buffer is reused. */
  body(bytes: Buffer): void;
  /** The body is complete (its length reached, its last chunk read, or the connection closed). */
  end(): void;
}

/** The answer broke the HTTP/1.1 framing, or the connection closed before the body was complete. */
export class ResponseFramingError extends Error {
  override readonly name = 'ResponseFramingError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads one HTTP/1.1 response from a connection's reads, whichever way its body is framed
 * (Content-Length, chunked, or until the connection closes), with http-parser-js: it parses the head
 * and hands body bytes over as views of the buffer it was given, never copies. Interim (1xx) answers
 * are skipped; whatever follows the end of the body is ignored (the connection is not reused).
 */
export class ResponseReader {
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private headSeen = false;
  private interim = false;
  private complete = false;

  constructor(private readonly on: ResponseEvents) {
    strictChunkSizes(this.parser);
    this.parser[HTTPParser.kOnHeadersComplete] = (info) => {
      if (this.complete) return;
      if (info.statusCode >= 100 && info.statusCode < 200 && info.statusCode !== 101) {
        this.interim = true;
        return;
      }
      const headers = headerObject(info.headers);
      const encoding = headers['transfer-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'chunked')
        throw new ResponseFramingError('HPE_UNSUPPORTED', `Unsupported transfer encoding (${encoding})`);
      this.headSeen = true;
      this.on.head(info.statusCode, headers);
    };
    this.parser[HTTPParser.kOnBody] = (chunk) => {
      if (!this.complete && this.headSeen) this.on.body(chunk);
    };
    this.parser[HTTPParser.kOnMessageComplete] = () => {
      if (this.interim) {
        this.interim = false;
        return;
      }
      if (this.complete || !this.headSeen) return;
      this.complete = true;
      this.on.end();
    };
  }

  /** True once the body is complete: later bytes are ignored. */
  get done(): boolean {
    return this.complete;
  }

  /** Parses `length` bytes of `buf` from `start`; throws ResponseFramingError on malformed bytes. */
  feed(buf: Buffer, start: number, length: number): void {
    if (this.complete) return;
    const result = this.parser.execute(buf, start, length);
    if (result instanceof Error && !this.complete) throw framingError(result);
  }

  /** The connection closed: ends a body framed by the close, or throws if the answer was cut short. */
  eof(): void {
    if (this.complete) return;
    const result = this.parser.finish();
    if (result instanceof Error || !this.complete)
      throw new ResponseFramingError(
        'ECONNRESET',
        this.headSeen
          ? 'The connection closed before the body was complete'
          : 'The connection closed before an answer',
      );
  }
}

/**
 * http-parser-js reads a chunk-size line with parseInt and takes a line that is not a number for the
 * last chunk, which would end a chunked body early without an error: such a line is refused instead.
 * (Reaches into the parser's state names; the table tests fail if a release changes them.)
 */
function strictChunkSizes(parser: InstanceType<typeof HTTPParser>): void {
  const inner = parser as unknown as { BODY_CHUNKHEAD(): void; body_bytes: number | null };
  const readSize = inner.BODY_CHUNKHEAD.bind(inner);
  inner.BODY_CHUNKHEAD = () => {
    readSize();
    if (Number.isNaN(inner.body_bytes))
      throw new ResponseFramingError(
        'HPE_INVALID_CHUNK_SIZE',
        'The answer is not valid HTTP/1.1 (chunk size)',
      );
  };
}

function framingError(err: Error): ResponseFramingError {
  if (err instanceof ResponseFramingError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'HPE_INVALID';
  return new ResponseFramingError(code, `The answer is not valid HTTP/1.1 (${code})`);
}

/** Header lines as node:http presents them: lower-case names, repeated ones joined (set-cookie a list). */
function headerObject(raw: string[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const had = headers[name];
    if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
    else headers[name] = had === undefined ? value : `${had as string}, ${value}`;
  }
  return headers as IncomingHttpHeaders;
}
