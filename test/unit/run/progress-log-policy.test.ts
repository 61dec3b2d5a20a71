import { describe, expect, it } from 'vitest';
import { progressLogDue, type ProgressLogged } from '../../../src/run/progress-log-policy.js';
import { progressReporter } from '../../../src/run/progress-reporter.js';
import type { Progress } from '../../../src/domain/work.js';
import { fakeClock } from '../../helpers/fake-clock.js';
import { captureLog } from '../../helpers/capture-log.js';

const at = (stage: Progress['stage'], at: number, message: string): ProgressLogged => ({
  stage,
  at,
  message,
});

describe('progressLogDue', () => {
  it.each<[string, ProgressLogged | undefined, Progress, number, boolean]>([
    ['the first line', undefined, { stage: 'downloading', percent: 0, message: 'Downloading' }, 0, true],
    [
      'a change of stage at once',
      at('rendering', 0, 'Rendering 40%'),
      { stage: 'downloading', percent: 0, message: 'Downloading' },
      1,
      true,
    ],
    [
      'a percentage within 10 s: no',
      at('downloading', 0, 'Downloading'),
      { stage: 'downloading', percent: 7, message: 'Downloading 7%' },
      9_999,
      false,
    ],
    [
      'a percentage 10 s later',
      at('downloading', 0, 'Downloading'),
      { stage: 'downloading', percent: 50, message: 'Downloading 50%' },
      10_000,
      true,
    ],
    [
      'the same message: no',
      at('downloading', 0, 'Downloading 50%'),
      { stage: 'downloading', percent: 50, message: 'Downloading 50%' },
      60_000,
      false,
    ],
    [
      'a new agent text (no percentage) at once',
      at('instructing', 0, 'Working on it'),
      { stage: 'instructing', message: 'Cut the intro' },
      1,
      true,
    ],
    ['no message: no', undefined, { stage: 'downloading', percent: 3 }, 0, false],
  ])('%s', (_name, last, p, now, due) => {
    expect(progressLogDue(last, p, now, 10_000)).toBe(due);
  });
});

describe('progressReporter logs', () => {
  it('a burst of download steps makes one line, then one per 10 s, plus each stage change', () => {
    const clock = fakeClock();
    const logs = captureLog('debug');
    const report = progressReporter('job', {
      records: { update: () => Promise.resolve() } as never,
      clock,
      log: logs.log,
      intervalMs: 250,
    });
    report({ stage: 'rendering', percent: 90, message: 'Rendering 90%' });
    report({ stage: 'downloading', percent: 0, message: 'Downloading' });
    for (let pct = 1; pct <= 100; pct += 1) {
      report({ stage: 'downloading', percent: pct, message: `Downloading ${pct}%` });
      clock.advance(250); // 25 s in all
    }
    const lines = logs.entries().map((e) => String(e.msg));
    expect(lines).toEqual(['Rendering 90%', 'Downloading', 'Downloading 41%', 'Downloading 81%']);
  });
});
