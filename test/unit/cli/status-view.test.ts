import { describe, expect, it } from 'vitest';
import { buildStatus, formatStatus } from '../../../src/cli/status-view.js';
import type { JobRecord } from '../../../src/domain/job.js';

function job(id: string, patch: Partial<JobRecord>): JobRecord {
  return {
    id,
    folder: 'avi',
    source: `/in/${id}.avi`,
    sourceName: `${id}.avi`,
    size: 1,
    mtimeMs: 1,
    contentHash: id,
    ruleVersion: 'v',
    engine: 'nemo',
    state: 'queued',
    remote: {},
    attempts: 0,
    createdAt: 1000,
    updatedAt: 1000,
    ...patch,
  };
}

describe('status view', () => {
  const jobs = [
    job('a', { state: 'rendering', percent: 42.4, message: 'Rendering 42%', createdAt: 2000 }),
    job('b', {
      state: 'failed',
      error: { code: 'UNSUPPORTED_FILE', message: 'Not accepted', hint: 'Use mp4' },
    }),
    job('c', { state: 'held', heldReason: 'credits', message: 'Out of credits' }),
    ...Array.from({ length: 30 }, (_, i) =>
      job(`d${i}`, { state: 'done', output: `/out/d${i}.mp4`, updatedAt: 5000 + i }),
    ),
  ];

  it('counts jobs by state and lists every unfinished job with the 20 latest done ones', () => {
    const report = buildStatus(jobs, { running: true, pid: 42 });
    expect(report.counts).toEqual({ rendering: 1, failed: 1, held: 1, done: 30 });
    expect(report.jobs.filter((j) => j.state !== 'done').map((j) => j.id)).toEqual(['b', 'c', 'a']);
    const done = report.jobs.filter((j) => j.state === 'done');
    expect(done).toHaveLength(20);
    expect(done[0]?.id).toBe('d29');
    expect(report.jobs.find((j) => j.id === 'a')).toMatchObject({ percent: 42.4, file: '/in/a.avi' });
  });

  it('prints one readable line per job: progress, reasons with what to do, outputs', () => {
    const lines = formatStatus(buildStatus(jobs, { running: false }));
    expect(lines[0]).toBe('Daemon not running');
    expect(lines).toContain('  [rendering 42%] avi: /in/a.avi — Rendering 42%');
    expect(lines).toContain('  [failed] avi: /in/b.avi — Not accepted (Use mp4)');
    expect(lines).toContain('  [held] avi: /in/c.avi — Out of credits');
    expect(lines).toContain('  [done] avi: /in/d29.avi → /out/d29.mp4');
  });

  it('says so when there is nothing yet', () => {
    expect(formatStatus(buildStatus([], { running: true, pid: 7 }))).toEqual([
      'Daemon running (pid 7)',
      'No jobs yet',
    ]);
  });

  it('lists a file once however often it was retried: its latest attempt', () => {
    const tries = [
      job('t1', { source: '/in/clip.avi', state: 'failed', createdAt: 1000, updatedAt: 1500 }),
      job('t2', { source: '/in/clip.avi', state: 'failed', createdAt: 2000, updatedAt: 2500 }),
      job('t3', {
        source: '/in/clip.avi',
        state: 'done',
        output: '/out/clip.mp4',
        createdAt: 3000,
        updatedAt: 3500,
      }),
      job('o', { source: '/in/clip.avi', folder: 'other', state: 'queued', createdAt: 1000 }),
    ];
    const report = buildStatus(tries, { running: false });
    expect(report.jobs.map((j) => j.id).sort()).toEqual(['o', 't3']);
    expect(report.counts).toEqual({ done: 1, queued: 1 });
    expect(formatStatus(report).filter((l) => l.includes('clip.avi'))).toHaveLength(2);
  });
});
