import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/jobs/group-commit.js';

describe('group commit', () => {
  it('items submitted while a flush runs share the next flush, in order', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const commits = new GroupCommit<number>(async (batch) => {
      batches.push(batch);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
    });
    commits.submit(1);
    commits.submit(2);
    commits.submit(3);
    commits.submit(4);
    release();
    await commits.idle();
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('a failing flush does not stop later items from being flushed', async () => {
    const flushed: number[] = [];
    const commits = new GroupCommit<number>((batch) => {
      flushed.push(...batch);
      return batch.includes(1) ? Promise.reject(new Error('disk full')) : Promise.resolve();
    });
    commits.submit(1);
    await commits.idle().catch(() => undefined);
    commits.submit(2);
    await commits.idle().catch(() => undefined);
    expect(flushed).toEqual([1, 2]);
  });
});
