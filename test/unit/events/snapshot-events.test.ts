import { describe, expect, it } from 'vitest';
import type { JobView } from '../../../src/events/events.js';
import { snapshotEvents } from '../../../src/events/snapshot-events.js';

const job = (id: string, patch: Partial<JobView> = {}): JobView => ({
  id,
  folder: 'main',
  file: `${id}.mov`,
  source: `/in/${id}.mov`,
  state: 'queued',
  engine: 'nemo',
  attempts: 0,
  size: 1,
  createdAt: 1,
  updatedAt: 1,
  ...patch,
});

describe('job events between two snapshots of the cluster', () => {
  it.each([
    ['a new job is created', undefined, job('a'), 'job.created'],
    ['a new job already done is done', undefined, job('a', { state: 'done' }), 'job.done'],
    ['a new job already failed is failed', undefined, job('a', { state: 'failed' }), 'job.failed'],
    ['a state change is a stage', job('a'), job('a', { state: 'uploading' }), 'job.stage'],
    ['the end of a job', job('a', { state: 'rendering' }), job('a', { state: 'done' }), 'job.done'],
    ['a hold', job('a', { state: 'rendering' }), job('a', { state: 'held' }), 'job.held'],
    ['a new percent is progress', job('a', { percent: 10 }), job('a', { percent: 20 }), 'job.progress'],
    ['a new node is progress', job('a', { node: 'n1' }), job('a', { node: 'n2' }), 'job.progress'],
  ] as const)('%s', (_name, before, after, type) => {
    const prev = new Map(before ? [[before.id, before]] : []);
    const events = snapshotEvents(prev, [after]);
    expect(events.map((e) => e.type)).toEqual([type]);
  });

  it('says nothing when nothing changed, and names the stage a job left', () => {
    const a = job('a', { state: 'rendering', percent: 50 });
    expect(snapshotEvents(new Map([['a', a]]), [{ ...a }])).toEqual([]);
    const [e] = snapshotEvents(new Map([['a', a]]), [{ ...a, state: 'downloading' }]);
    expect(e).toMatchObject({ type: 'job.stage', from: 'rendering', job: { state: 'downloading' } });
  });
});
