import { Readable } from 'node:stream';

/** Writes one batch of lent body bytes; the views may be reused once the promise settles. */
export type BodyWriter = (slices: Buffer[]) => Promise<void>;

/** Batches written (or waiting to be) before the connection is paused. */
const MAX_QUEUED = 2;

/**
 * A response body read from a socket into a few reused buffers: the bytes of each filled buffer go
 * to one writer as views (`lend`), never copied, and the buffer is read into again once the writer
 * is done with it. Read as a plain stream instead (an error answer's text), it hands out copies.
 */
export class SocketBody extends Readable {
  private readonly queue: Buffer[][] = [];
  private writer: BodyWriter | undefined;
  private writing = false;
  private ended = false;
  private received = 0;
  private lent: { resolve: (n: number) => void; reject: (err: Error) => void } | undefined;
  private waitingRead: (() => void) | undefined;

  /**
   * `resume` restarts the socket's reads once a batch is written (the socket pauses itself when
   * `offer` says so); `settled` hears when a batch's buffers may be reused.
   */
  constructor(
    private readonly flow: { resume(): void },
    private readonly settled: (slices: Buffer[]) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    // A failure reaches the reader through `lend`'s promise or the stream's own reading; unread, it
    // must not crash the process.
    this.on('error', () => undefined);
  }

  /** Bytes handed to the writer so far (written, or being written). */
  get bytes(): number {
    return this.received;
  }

  /**
   * Reads the rest of the body through `write`, one batch at a time, in order; resolves with the
   * body's length once every batch is written, rejects if the body fails or a write does.
   */
  lend(write: BodyWriter): Promise<number> {
    if (this.writer) throw new Error('The body is already being read');
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(this.errored ?? new Error('The body was closed'));
      this.lent = { resolve, reject };
      this.writer = write;
      this.pump();
    });
  }

  /** A filled buffer's body bytes (called by the connection); false when reads should pause. */
  offer(slices: Buffer[]): boolean {
    if (slices.length > 0) this.queue.push(slices);
    this.pump();
    return this.queue.length + (this.writing ? 1 : 0) < MAX_QUEUED;
  }

  /** The body is complete (called by the connection once its last batch was offered). */
  finish(): void {
    this.ended = true;
    this.pump();
  }

  override _read(): void {
    if (!this.writer) {
      this.writer = (slices) => this.pushCopies(slices);
      this.pump();
    }
    const wake = this.waitingRead;
    this.waitingRead = undefined;
    wake?.();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const lent = this.lent;
    this.lent = undefined;
    lent?.reject(err ?? new Error('The body was closed'));
    // Batches never written are free again; one being written is given back when its write settles.
    for (const slices of this.queue.splice(0)) this.settled(slices);
    this.waitingRead?.();
    done(err);
  }

  private pump(): void {
    if (this.writing || !this.writer || this.destroyed) return;
    const slices = this.queue.shift();
    if (!slices) {
      if (this.ended) this.close();
      return;
    }
    this.writing = true;
    const n = slices.reduce((sum, s) => sum + s.length, 0);
    this.writer(slices).then(
      () => {
        this.writing = false;
        this.received += n;
        this.settled(slices);
        if (this.destroyed) return;
        this.flow.resume();
        this.pump();
      },
      (err: unknown) => {
        this.writing = false;
        this.settled(slices);
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  private close(): void {
    const lent = this.lent;
    this.lent = undefined;
    if (lent) {
      lent.resolve(this.received);
      this.destroy();
    } else this.push(null);
  }

  /** The plain-stream reader's writer: copies (the buffers are reused), waits while the stream is full. */
  private pushCopies(slices: Buffer[]): Promise<void> {
    let more = true;
    for (const s of slices) more = this.push(Buffer.from(s));
    if (more) return Promise.resolve();
    return new Promise((resolve) => (this.waitingRead = resolve));
  }
}
