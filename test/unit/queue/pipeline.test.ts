import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Pipeline } from '../../../src/queue/pipeline.js';
import type { RunResult } from '../../../src/run/run-job.js';
import type { JobRecord } from '../../../src/domain/job.js';
import type { JobPlan } from '../../../src/domain/job.js';

function job(id: string, engine: 'nemo' | 'local' = 'nemo'): JobRecord {
  const plan = { engine } as JobPlan;
  return { id, state: 'queued', engine, plan } as JobRecord;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A pipeline whose jobs finish when the test says so, recording what ran and how many at once. */
function harness(limits = { concurrency: 3, local: 1 }) {
  const records = new Map<string, JobRecord>();
  const ran: string[] = [];
  const loads: string[] = [];
  const running = new Map<string, { finish(r?: RunResult): void; signal: AbortSignal }>();
  let peak = 0;
  const pipeline = new Pipeline(limits, {
    run: (j, _plan, signal) =>
      new Promise<RunResult>((resolve) => {
        ran.push(j.id);
        running.set(j.id, {
          signal,
          finish: (r = { kind: 'done', output: `${j.id}.mp4` }) => {
            running.delete(j.id);
            records.set(j.id, { ...j, state: 'done' });
            resolve(r);
          },
        });
        peak = Math.max(peak, running.size);
        signal.addEventListener('abort', () => {
          running.delete(j.id);
          resolve({ kind: 'checkpoint' });
        });
      }),
    load: (id) => {
      loads.push(id);
      return records.get(id);
    },
    planOf: (j) => j.plan!,
    clock: systemClock,
    log: silentLogger(),
  });
  const submit = (j: JobRecord) => {
    records.set(j.id, j);
    return pipeline.submit(j);
  };
  return { pipeline, submit, ran, loads, running, peak: () => peak };
}

describe('Pipeline', () => {
  it('runs 10,000 queued jobs each exactly once, never more at once than the limit, loading each only when it starts', async () => {
    const h = harness({ concurrency: 50, local: 1 });
    for (let i = 0; i < 10_000; i++) h.submit(job(`j${i}`));
    await tick();
    expect(h.running.size).toBe(50);
    expect(h.loads).toHaveLength(50);
    expect(h.pipeline.stats()).toEqual({ running: 50, waiting: 9_950 });
    while (h.running.size > 0) {
      for (const r of [...h.running.values()]) r.finish();
      await tick();
    }
    await h.pipeline.onIdle();
    expect(h.ran).toHaveLength(10_000);
    expect(new Set(h.ran).size).toBe(10_000);
    expect(h.peak()).toBe(50);
  });

  it('does not queue a job twice while it waits or runs (racing events, a rescan, a restart)', async () => {
    const h = harness({ concurrency: 1, local: 1 });
    expect(h.submit(job('a'))).toBe(true);
    expect(h.submit(job('b'))).toBe(true);
    expect(h.submit(job('b'))).toBe(false);
    await tick();
    expect(h.submit(job('a'))).toBe(false);
    h.running.get('a')!.finish();
    await tick();
    h.running.get('b')!.finish();
    await h.pipeline.onIdle();
    expect(h.ran).toEqual(['a', 'b']);
  });

  it('skips a queued job that became final meanwhile (retried or done elsewhere)', async () => {
    const h = harness({ concurrency: 1, local: 1 });
    h.submit(job('a'));
    h.submit(job('b'));
    await tick();
    // b is finished by someone else before its turn.
    h.submit({ ...job('b'), state: 'done' });
    h.running.get('a')!.finish();
    await h.pipeline.onIdle();
    expect(h.ran).toEqual(['a']);
  });

  it('keeps local jobs going while cloud jobs are paused for credits', async () => {
    const h = harness({ concurrency: 2, local: 1 });
    h.pipeline.pauseRemote();
    h.submit(job('cloud'));
    h.submit(job('local', 'local'));
    await tick();
    expect([...h.running.keys()]).toEqual(['local']);
    h.pipeline.resumeRemote();
    await tick();
    expect([...h.running.keys()].sort()).toEqual(['cloud', 'local']);
  });

  it('stop() aborts running jobs (they checkpoint), drops the queue and accepts nothing more', async () => {
    const h = harness({ concurrency: 2, local: 1 });
    for (const id of ['a', 'b', 'c']) h.submit(job(id));
    await tick();
    const signals = [...h.running.values()].map((r) => r.signal);
    await h.pipeline.stop(5_000);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(h.submit(job('d'))).toBe(false);
    await tick();
    expect(h.ran).toEqual(['a', 'b']);
  });
});
