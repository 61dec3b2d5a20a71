import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../helpers/fake-clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { JobPlan, JobRecord } from '../../../src/domain/job.js';
import type { Metrics } from '../../../src/metrics/metrics.js';
import { noopMetrics } from '../../../src/metrics/metrics.js';
import { Pipeline } from '../../../src/queue/pipeline.js';
import { recordResult } from '../../../src/queue/job-metrics.js';
import { VideoInboxError } from '../../../src/core/errors.js';
import type { RunResult } from '../../../src/run/run-job.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A Metrics port that writes down every call. */
function recording(): Metrics & { calls: string[] } {
  const calls: string[] = [];
  const metrics = Object.fromEntries(
    Object.keys(noopMetrics).map((name) => [
      name,
      (...args: unknown[]) => calls.push(`${name} ${args.map((a) => JSON.stringify(a)).join(' ')}`),
    ]),
  ) as unknown as Metrics;
  return Object.assign(metrics, { calls });
}

const job = (id: string, state: JobRecord['state'] = 'queued'): JobRecord =>
  ({
    id,
    state,
    folder: 'main',
    engine: 'local',
    createdAt: 0,
    plan: { engine: 'local' } as JobPlan,
  }) as JobRecord;
const error = new VideoInboxError('SERVER_ERROR', 'server error');

describe('Pipeline metrics', () => {
  it('counts a job started, its outcome with its duration, and the queue depth around it', async () => {
    const metrics = recording();
    const clock = fakeClock();
    const records = new Map<string, JobRecord>();
    const pipeline = new Pipeline(
      { concurrency: 1, local: 1 },
      {
        run: () => {
          clock.advance(4000);
          return Promise.resolve<RunResult>({ kind: 'done', output: 'x' });
        },
        load: (id) => records.get(id),
        planOf: (j) => j.plan!,
        clock,
        log: silentLogger(),
        metrics,
      },
    );
    records.set('a', job('a'));
    pipeline.submit(job('a'));
    await pipeline.onIdle();
    await tick();
    expect(metrics.calls).toEqual([
      'jobStarted "main" "local"',
      'queueDepth {"running":1,"waiting":0}',
      'jobFinished "main" "local" "done" 4',
      'queueDepth {"running":0,"waiting":0}',
    ]);
  });

  it('does not count a job resumed at its checkpoint as started again', async () => {
    const metrics = recording();
    const records = new Map([['b', job('b', 'converting')]]);
    const pipeline = new Pipeline(
      { concurrency: 1, local: 1 },
      {
        run: () => Promise.resolve<RunResult>({ kind: 'checkpoint' }),
        load: (id) => records.get(id),
        planOf: (j) => j.plan!,
        clock: fakeClock(),
        log: silentLogger(),
        metrics,
      },
    );
    pipeline.submit(records.get('b')!);
    await pipeline.onIdle();
    expect(metrics.calls.filter((c) => !c.startsWith('queueDepth'))).toEqual([]);
  });

  it.each<[string, RunResult, string[]]>([
    ['done', { kind: 'done', output: 'x' }, ['jobFinished "main" "local" "done" 2']],
    [
      'failed',
      { kind: 'failed', error },
      ['apiError "SERVER_ERROR"', 'jobFinished "main" "local" "failed" 2'],
    ],
    [
      'held',
      { kind: 'held', reason: 'credits', error },
      ['apiError "SERVER_ERROR"', 'jobFinished "main" "local" "held" 2'],
    ],
    ['retry', { kind: 'retry', delayMs: 10, error }, ['apiError "SERVER_ERROR"', 'retry "main"']],
    ['checkpoint', { kind: 'checkpoint' }, []],
  ])('recordResult: %s', (_name, result, expected) => {
    const metrics = recording();
    recordResult(metrics, job('c'), result, 2000);
    expect(metrics.calls).toEqual(expected);
  });
});
