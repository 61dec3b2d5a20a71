import type { ChildProcess } from 'node:child_process';

/** Timers and child processes the emulator started, so close() can stop every one of them. */
export class Tasks {
  private readonly controller = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly children = new Set<ChildProcess>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  later(ms: number, fn: () => void): void {
    if (this.controller.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves after ms, or early when any signal aborts; `ms` undefined waits for a signal only. */
  sleep(ms: number | undefined, ...signals: AbortSignal[]): Promise<void> {
    const all = AbortSignal.any([this.controller.signal, ...signals]);
    if (all.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) {
          clearTimeout(timer);
          this.timers.delete(timer);
        }
        all.removeEventListener('abort', done);
        resolve();
      };
      all.addEventListener('abort', done, { once: true });
      if (ms !== undefined) {
        timer = setTimeout(done, ms);
        this.timers.add(timer);
      }
    });
  }

  /** Stops everything; resolves once every child has exited, so its files can be removed. */
  async stop(): Promise<void> {
    this.controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const exits = [...this.children]
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => new Promise<void>((resolve) => child.once('close', () => resolve())));
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
  }
}
