import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { Pipeline } from '../../../src/queue/pipeline.js';
import type { RunResult } from '../../../src/run/run-job.js';
import type { JobRecord } from '../../../src/domain/job.js';
import type { JobPlan } from '../../../src/domain/job.js';

const tick = () => new Promise((r) => setTimeout(r, 0));
const job = (id: string): JobRecord =>
  ({ id, state: 'queued', engine: 'local', plan: { engine: 'local' } as JobPlan }) as JobRecord;

/** The pipeline with a start gate the test opens and closes (pause and schedules use it). */
function gated() {
  let open = false;
  const records = new Map<string, JobRecord>();
  const ran: string[] = [];
  const running = new Map<string, () => void>();
  const pipeline = new Pipeline(
    { concurrency: 2, local: 2 },
    {
      run: (j, _plan, signal) =>
        new Promise<RunResult>((resolve) => {
          ran.push(j.id);
          running.set(j.id, () => resolve({ kind: 'done', output: 'x' }));
          signal.addEventListener('abort', () => {
            running.delete(j.id);
            resolve({ kind: 'checkpoint' });
          });
        }),
      load: (id) => records.get(id),
      planOf: (j) => j.plan!,
      canStart: () => open,
      clock: systemClock,
      log: silentLogger(),
    },
  );
  return {
    pipeline,
    ran,
    running,
    setOpen: (v: boolean) => (open = v),
    submit: (j: JobRecord) => {
      records.set(j.id, j);
      return pipeline.submit(j);
    },
  };
}

describe('Pipeline start gate', () => {
  it('a closed gate holds jobs back (counted as waiting) until release; a held job is not queued twice', async () => {
    const g = gated();
    g.submit(job('a'));
    g.submit(job('b'));
    await tick();
    expect(g.ran).toEqual([]);
    expect(g.pipeline.stats()).toEqual({ running: 0, waiting: 2 });
    expect(g.submit(job('a'))).toBe(false);
    g.pipeline.release();
    await tick();
    expect(g.ran).toEqual([]); // still closed: parked again
    g.setOpen(true);
    g.pipeline.release();
    await tick();
    expect(g.ran.sort()).toEqual(['a', 'b']);
  });

  it('abortRunning stops running jobs at their checkpoint and abort stops one', async () => {
    const g = gated();
    g.setOpen(true);
    g.submit(job('a'));
    g.submit(job('b'));
    await tick();
    expect(g.pipeline.isRunning('a')).toBe(true);
    expect(g.pipeline.abort('a')).toBe(true);
    await tick();
    expect(g.pipeline.isRunning('a')).toBe(false);
    expect(g.pipeline.abort('a')).toBe(false);
    expect(g.pipeline.abortRunning()).toEqual(['b']);
    await tick();
    expect(g.pipeline.stats().running).toBe(0);
  });
});
