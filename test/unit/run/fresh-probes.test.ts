import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../src/domain/job.js';
import type { MediaInfo } from '../../../src/domain/media.js';
import { freshProbes } from '../../../src/run/fresh-probes.js';

const job = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'j1',
  folder: 'f',
  source: '/in/a.mov',
  sourceName: 'a.mov',
  size: 100,
  mtimeMs: 1000,
  dev: 1,
  ino: 42,
  ctimeMs: 1000,
  contentHash: 'abc',
  ruleVersion: 'v1',
  engine: 'local',
  state: 'queued',
  remote: {},
  attempts: 0,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const media: MediaInfo = { formatName: 'mov,mp4', durationSec: 60, sizeBytes: 100 };

describe('freshProbes', () => {
  it('hands the probe to the job it was made for, once', () => {
    const probes = freshProbes();
    probes.remember(job(), media);
    expect(probes.take(job())).toBe(media);
    expect(probes.take(job())).toBeUndefined();
  });

  it.each([
    ['another job id', { id: 'j2' }],
    ['another size', { size: 101 }],
    ['another mtime', { mtimeMs: 1001 }],
    ['another inode', { ino: 43 }],
    ['another device', { dev: 2 }],
    ['another ctime', { ctimeMs: 1001 }],
    ['another content hash', { contentHash: 'def' }],
  ])('gives nothing for %s', (_what, over) => {
    const probes = freshProbes();
    probes.remember(job(), media);
    expect(probes.take(job(over))).toBeUndefined();
  });

  it('keeps at most `limit` entries, dropping the oldest', () => {
    const probes = freshProbes(2);
    for (const id of ['a', 'b', 'c']) probes.remember(job({ id }), media);
    expect(probes.take(job({ id: 'a' }))).toBeUndefined();
    expect(probes.take(job({ id: 'b' }))).toBe(media);
    expect(probes.take(job({ id: 'c' }))).toBe(media);
  });
});
