import { describe, expect, it } from 'vitest';
import { createStageLimiter } from '../../../src/engines/stage-limits.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('stage limiter', () => {
  it('never runs more of a stage at once than its limit, and keeps stages apart', async () => {
    const limiter = createStageLimiter({ upload: 2, sse: 1 });
    let uploads = 0;
    let maxUploads = 0;
    const g = gate();
    const work = Array.from({ length: 6 }, () =>
      limiter.run('upload', async () => {
        uploads++;
        maxUploads = Math.max(maxUploads, uploads);
        await g.opened;
        uploads--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(limiter.stats().upload).toEqual({ running: 2, waiting: 4 });
    // Another stage is not blocked by full uploads.
    await expect(limiter.run('sse', async () => 'ran')).resolves.toBe('ran');
    g.open();
    await Promise.all(work);
    expect(maxUploads).toBe(2);
  });

  it('lets a waiting call be abandoned without running it', async () => {
    const limiter = createStageLimiter({ poll: 1 });
    const g = gate();
    const first = limiter.run('poll', () => g.opened);
    const controller = new AbortController();
    let ran = false;
    const second = limiter.run(
      'poll',
      async () => {
        ran = true;
      },
      controller.signal,
    );
    controller.abort();
    await expect(second).rejects.toThrow();
    g.open();
    await first;
    expect(ran).toBe(false);
  });

  it('applies new limits to waiting work', async () => {
    const limiter = createStageLimiter({ download: 1 });
    const g = gate();
    const all = [limiter.run('download', () => g.opened), limiter.run('download', () => g.opened)];
    await new Promise((r) => setImmediate(r));
    expect(limiter.stats().download.running).toBe(1);
    limiter.setLimits({ download: 2 });
    await new Promise((r) => setImmediate(r));
    expect(limiter.stats().download.running).toBe(2);
    g.open();
    await Promise.all(all);
  });
});
