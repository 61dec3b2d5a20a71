import { describe, expect, it } from 'vitest';
import type { JobRecord, JobState } from '../../../src/domain/job.js';
import { JournalIndex } from '../../../src/jobs/journal-index.js';

function record(id: string, state: JobState, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    folder: 'avi-to-mp4',
    source: `/inbox/${id}.avi`,
    sourceName: `${id}.avi`,
    size: 1,
    mtimeMs: 1,
    contentHash: `hash-${id}`,
    ruleVersion: 'v1',
    engine: 'local',
    state,
    remote: {},
    attempts: 0,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  };
}

describe('journal index: the lookups on each new file', () => {
  it.each<[JobState, boolean, boolean]>([
    // state, active by source, done by content and by source
    ['queued', true, false],
    ['rendering', true, false],
    ['held', true, false],
    ['done', false, true],
    ['failed', false, false],
  ])('a %s job: active by source %s, known as done %s', (state, active, done) => {
    const index = new JournalIndex();
    index.install(record('a', state), 100);
    expect(index.findActiveBySource('/inbox/a.avi')?.id).toBe(active ? 'a' : undefined);
    expect(index.findDone('hash-a', 'v1')?.id).toBe(done ? 'a' : undefined);
    expect(index.findDoneBySource('/inbox/a.avi')?.id).toBe(done ? 'a' : undefined);
  });

  it('a done job counts only under the rule version that made it', () => {
    const index = new JournalIndex();
    index.install(record('a', 'done'), 100);
    expect(index.findDone('hash-a', 'v1')?.id).toBe('a');
    expect(index.findDone('hash-a', 'v2')).toBeUndefined();
  });

  it('a retried done job leaves the lookups; another done job for the same content takes its place', () => {
    const index = new JournalIndex();
    index.install(record('a', 'done', { contentHash: 'same' }), 100);
    index.install(record('b', 'done', { contentHash: 'same', source: '/inbox/copy.avi' }), 100);
    index.install(record('b', 'queued', { contentHash: 'same', source: '/inbox/copy.avi' }), 100);
    expect(index.findDone('same', 'v1')?.id).toBe('a');
    expect(index.findDoneBySource('/inbox/copy.avi')).toBeUndefined();
    expect(index.findActiveBySource('/inbox/copy.avi')?.id).toBe('b');
  });

  it('list filters by state, folder and source, and hands out copies', () => {
    const index = new JournalIndex();
    index.install(record('a', 'queued'), 10);
    index.install(record('b', 'held', { folder: 'other' }), 10);
    index.install(record('c', 'done'), 10);
    expect(index.list({ state: ['queued', 'held'] }).map((j) => j.id)).toEqual(['a', 'b']);
    expect(index.list({ folder: 'other' }).map((j) => j.id)).toEqual(['b']);
    expect(index.list({ source: '/inbox/c.avi' }).map((j) => j.id)).toEqual(['c']);
    const copy = index.get('a');
    if (copy) copy.state = 'failed';
    expect(index.get('a')?.state).toBe('queued');
  });

  it('live bytes count only the latest line of each job (what compaction would keep)', () => {
    const index = new JournalIndex();
    index.install(record('a', 'queued'), 100);
    index.install(record('a', 'rendering'), 120);
    index.install(record('b', 'queued'), 50);
    expect(index.liveBytes).toBe(170);
    expect(index.size).toBe(2);
  });
});
