import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../src/domain/job.js';
import { memoryJobRecords } from '../../../src/run/job-records.js';

const job: JobRecord = {
  id: 'j1',
  folder: '',
  source: '/in/clip.avi',
  sourceName: 'clip.avi',
  size: 10,
  mtimeMs: 1,
  contentHash: '',
  ruleVersion: '',
  engine: 'nemo',
  state: 'queued',
  remote: {},
  attempts: 0,
  createdAt: 0,
  updatedAt: 0,
};

describe('memoryJobRecords: a job record for a run with no journal (convert)', () => {
  it('applies patches as the journal does: checkpoints merge, other keys replace', async () => {
    let now = 100;
    const records = memoryJobRecords(job, () => now);
    await records.update('j1', { remote: { sessionId: 's1' } });
    now = 200;
    await records.update('j1', { state: 'rendering', remote: { taskId: 't1' }, message: 'Rendering' });
    expect(records.current()).toMatchObject({
      state: 'rendering',
      remote: { sessionId: 's1', taskId: 't1' },
      message: 'Rendering',
      updatedAt: 200,
    });
  });

  it('sheds in-flight fields when the job is done, and ignores updates for other jobs', async () => {
    const records = memoryJobRecords(job, () => 1);
    await records.update('j1', { remote: { sessionId: 's1' }, percent: 50 });
    await records.update('other', { state: 'failed' });
    await records.update('j1', { state: 'done', output: '/out/clip.mp4' });
    expect(records.current()).toMatchObject({ state: 'done', output: '/out/clip.mp4', remote: {} });
    expect(records.current().percent).toBeUndefined();
  });
});
