/**
 * Group commit: items submitted while a flush runs wait and share the next flush, so many writers at
 * once cost about one write and one fsync. `flush` gets every item queued since the last one, in
 * order, and settles each item itself.
 */
export class GroupCommit<T> {
  private queue: T[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly flush: (batch: T[]) => Promise<void>) {}

  submit(item: T): void {
    this.queue.push(item);
    this.kick();
  }

  /** Resolves once nothing is queued or being flushed. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      try {
        while (this.queue.length > 0) {
          const batch = this.queue;
          this.queue = [];
          await this.flush(batch);
        }
      } finally {
        this.flushing = undefined;
        // An item may have been queued after the loop saw an empty queue but before this line.
        if (this.queue.length > 0) this.kick();
      }
    })();
  }
}
