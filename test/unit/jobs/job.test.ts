import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  isActiveState,
  type JobPatch,
  type JobRecord,
  type JobState,
} from '../../../src/domain/job.js';
import { decodeLine, encodeLine } from '../../../src/jobs/journal-line.js';

const job: JobRecord = {
  id: 'j1',
  folder: 'f',
  source: '/in/a.avi',
  sourceName: 'a.avi',
  size: 10,
  mtimeMs: 5,
  contentHash: 'h',
  ruleVersion: 'v1',
  engine: 'nemo',
  state: 'rendering',
  percent: 40,
  message: 'Rendering 40%',
  remote: { sessionId: 's', renderId: 'r' },
  attempts: 1,
  createdAt: 1,
  updatedAt: 2,
};

describe('applyPatch', () => {
  it.each<[string, JobPatch, Partial<JobRecord>, string[]]>([
    ['sets fields and the time', { percent: 60 }, { percent: 60, updatedAt: 99, createdAt: 1 }, []],
    [
      'merges remote ids',
      { remote: { outputUrl: 'u' } },
      { remote: { sessionId: 's', renderId: 'r', outputUrl: 'u' } },
      [],
    ],
    ['clears a key given as undefined', { message: undefined }, { percent: 40 }, ['message']],
    [
      'sheds in-flight fields on done',
      { state: 'done', output: '/o.mp4', error: { code: 'X', message: 'y' } },
      { state: 'done', output: '/o.mp4', remote: {} },
      ['percent', 'message', 'error', 'heldReason'],
    ],
    [
      'keeps the error on failed',
      { state: 'failed', error: { code: 'X', message: 'y' } },
      { error: { code: 'X', message: 'y' } },
      [],
    ],
  ])('%s', (_name, patch, expected, absent) => {
    const next = applyPatch(job, patch, 99);
    expect(next).toMatchObject(expected);
    for (const key of absent) expect(next).not.toHaveProperty(key);
    expect(job.percent).toBe(40); // the input is not changed
  });
});

describe('isActiveState', () => {
  it.each<[JobState, boolean]>([
    ['queued', true],
    ['held', true],
    ['rendering', true],
    ['placing', true],
    ['done', false],
    ['failed', false],
  ])('%s → %s', (state, active) => {
    expect(isActiveState(state)).toBe(active);
  });
});

describe('journal lines', () => {
  const line = encodeLine(job).toString('utf8').slice(0, -1);

  it('round-trips a job', () => {
    expect(decodeLine(line)).toEqual({ ok: true, job });
  });

  it.each([
    ['a torn line', line.slice(0, line.length - 5), 'checksum mismatch'],
    ['a flipped byte', line.replace('a.avi', 'b.avi'), 'checksum mismatch'],
    ['no checksum', line.slice(9), 'no checksum'],
    ['an empty line', '', 'no checksum'],
    [
      'a valid checksum over something else',
      encodeLine({ id: 1 } as never)
        .toString()
        .trim(),
      'not a job record',
    ],
  ])('rejects %s', (_name, text, reason) => {
    expect(decodeLine(text)).toEqual({ ok: false, reason });
  });
});
