import { appendFile, open, readdir, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { JOURNAL_FILE, openJournal } from '../../../src/jobs/journal.js';
import { newJob, useJournalDir } from './journal-suite.js';

/** A logger whose warnings the test can read. */
function captureLog(): { log: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { log, lines };
}

const journals = useJournalDir('vi-journal-');
const openJ = journals.open;

describe('journal basics', () => {
  it('persists creates and updates across a reopen, merging remote ids and clearing undefined keys', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    expect(a).toMatchObject({ state: 'queued', attempts: 0, remote: {} });
    await j.update(a.id, { state: 'uploading', percent: 10, message: 'Uploading' });
    await j.update(a.id, { remote: { sessionId: 's1' } });
    await j.update(a.id, { remote: { renderId: 'render_1' }, state: 'rendering', message: undefined });
    await j.close();

    const again = await openJ();
    const got = again.get(a.id);
    expect(got).toMatchObject({
      state: 'rendering',
      percent: 10,
      remote: { sessionId: 's1', renderId: 'render_1' },
    });
    expect(got).not.toHaveProperty('message');
    expect(got?.createdAt).toBe(a.createdAt);
  });

  it('rejects an update of an unknown job and a duplicate id, without harming the queue', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1, { id: 'fixed' }));
    await expect(j.update('nope', { state: 'done' })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(j.create(newJob(2, { id: 'fixed' }))).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await j.update(a.id, { attempts: 1 })).attempts).toBe(1);
  });

  it('hands out copies, so a caller cannot change the journal behind its back', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    const copy = j.get(a.id)!;
    copy.state = 'done';
    copy.remote.renderId = 'x';
    expect(j.get(a.id)).toMatchObject({ state: 'queued', remote: {} });
  });

  it('keeps every acknowledged update of many concurrent writers, in order per job', async () => {
    const j = await openJ();
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => j.create(newJob(i))));
    await Promise.all(
      jobs.map(async (job) => {
        for (let n = 1; n <= 15; n++) await j.update(job.id, { attempts: n });
      }),
    );
    await j.close();
    const again = await openJ();
    for (const job of jobs) expect(again.get(job.id)?.attempts).toBe(15);
  });

  it('lists by state and folder', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    const b = await j.create(newJob(2, { folder: 'mov' }));
    await j.update(b.id, { state: 'failed', error: { code: 'NOT_A_VIDEO', message: 'no' } });
    expect(
      j
        .list()
        .map((x) => x.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(j.list({ state: 'failed' }).map((x) => x.id)).toEqual([b.id]);
    expect(j.list({ state: ['queued', 'held'] }).map((x) => x.id)).toEqual([a.id]);
    expect(j.list({ folder: 'mov' }).map((x) => x.id)).toEqual([b.id]);
  });
});

describe('processing twice (content identity and active sources)', () => {
  it('finds a done job by content hash and rule version, also after a reopen', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1, { contentHash: 'abc' }));
    expect(j.findDone('abc', 'rule-v1')).toBeUndefined();
    await j.update(a.id, { state: 'done', output: '/out/clip-1.mp4' });
    expect(j.findDone('abc', 'rule-v1')?.id).toBe(a.id);
    expect(j.findDone('abc', 'rule-v2')).toBeUndefined();
    expect(j.findDone('abd', 'rule-v1')).toBeUndefined();
    await j.close();
    const again = await openJ();
    expect(again.findDone('abc', 'rule-v1')).toMatchObject({ id: a.id, output: '/out/clip-1.mp4' });
  });

  it('forgets a done job in the index once it is retried, and finds an older done job for that content', async () => {
    const j = await openJ();
    const first = await j.create(newJob(1, { contentHash: 'same' }));
    await j.update(first.id, { state: 'done' });
    const second = await j.create(newJob(2, { contentHash: 'same' }));
    await j.update(second.id, { state: 'done' });
    await j.update(second.id, { state: 'queued' });
    expect(j.findDone('same', 'rule-v1')?.id).toBe(first.id);
    await j.update(first.id, { state: 'queued' });
    expect(j.findDone('same', 'rule-v1')).toBeUndefined();
  });

  it('knows which source is in progress (held counts), and lets it go once done or failed', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    expect(j.findActiveBySource('/inbox/clip-1.avi')?.id).toBe(a.id);
    await j.update(a.id, { state: 'held', heldReason: 'out of credits' });
    expect(j.findActiveBySource('/inbox/clip-1.avi')?.id).toBe(a.id);
    await j.update(a.id, { state: 'done' });
    expect(j.findActiveBySource('/inbox/clip-1.avi')).toBeUndefined();
    const b = await j.create(newJob(2));
    await j.update(b.id, { state: 'failed' });
    expect(j.findActiveBySource('/inbox/clip-2.avi')).toBeUndefined();
  });
});

describe('memory: small per-job state', () => {
  it('sheds in-flight fields when a job is done', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    await j.update(a.id, {
      state: 'rendering',
      percent: 50,
      message: 'Rendering',
      heldReason: 'x',
      error: { code: 'NETWORK', message: 'reset' },
      remote: { sessionId: 's', renderId: 'r', uploaded: [{ cdnUrl: 'https://cdn/x', filename: 'x' }] },
    });
    const done = await j.update(a.id, { state: 'done', output: '/out/a.mp4' });
    expect(done.remote).toEqual({});
    for (const key of ['percent', 'message', 'heldReason', 'error']) expect(done).not.toHaveProperty(key);
  });

  it('reopens a library of 10,000 done jobs with a compact log and a working index', async () => {
    const j = await openJ();
    const jobs = await Promise.all(
      Array.from({ length: 10_000 }, (_, i) =>
        j.create(newJob(i, { state: 'done', output: `/out/clip-${i}.mp4` })),
      ),
    );
    await j.close();
    const bytes = (await stat(join(journals.dir, JOURNAL_FILE))).size;
    expect(bytes / 10_000).toBeLessThan(400);
    const again = await openJ();
    expect(again.list({ state: 'done' })).toHaveLength(10_000);
    expect(again.findDone('hash-9876', 'rule-v1')?.id).toBe(jobs[9876]!.id);
    expect(again.list({ state: 'queued' })).toHaveLength(0);
  });
});

describe('crash safety', () => {
  it('ignores a half-written last line with a warning, keeps every other job, and appends cleanly after it', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    const b = await j.create(newJob(2));
    await j.update(b.id, { state: 'uploading' });
    await j.close();
    // What a write torn by power loss looks like: the start of a line and no newline.
    await appendFile(join(journals.dir, JOURNAL_FILE), '1a2b3c4d {"id":"' + a.id + '","state":"do');

    const { log, lines } = captureLog();
    const again = await openJ({ log });
    expect(lines.some((l) => l.level === 40 && /half-written/.test(l.msg))).toBe(true);
    expect(again.get(a.id)?.state).toBe('queued');
    expect(again.get(b.id)?.state).toBe('uploading');
    await again.update(a.id, { state: 'converting' });
    await again.close();

    const third = await openJ();
    expect(third.get(a.id)?.state).toBe('converting');
    expect(third.get(b.id)?.state).toBe('uploading');
  });

  it('skips a damaged line in the middle (checksum), warns, keeps a copy, and loses no other job', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    const b = await j.create(newJob(2));
    const c = await j.create(newJob(3));
    await j.update(b.id, { state: 'uploading', message: 'MARK' });
    await j.update(c.id, { state: 'rendering' });
    await j.close();
    const file = join(journals.dir, JOURNAL_FILE);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('MARK', 'MARX'));

    const { log, lines } = captureLog();
    const again = await openJ({ log });
    expect(lines.some((l) => l.level === 40 && /damaged/.test(l.msg))).toBe(true);
    expect(again.get(a.id)?.state).toBe('queued');
    expect(again.get(b.id)?.state).toBe('queued'); // its damaged update is gone, its earlier state is not
    expect(again.get(c.id)?.state).toBe('rendering');
    expect((await readdir(journals.dir)).some((f) => f.startsWith(`${JOURNAL_FILE}.damaged-`))).toBe(true);
  });

  it('rejects an update that hit a full disk, keeps the last acknowledged state, and writes on afterwards', async () => {
    let failNext = false;
    const openFile = async (path: string, flags: string): Promise<FileHandle> => {
      const handle = await open(path, flags);
      return new Proxy(handle, {
        get(target, prop, receiver) {
          if (prop === 'write') {
            return async (buf: Buffer, offset: number, length: number, position: number) => {
              if (failNext) {
                failNext = false;
                // Half the bytes reach the file, then the disk is full: the torn half must be cut.
                await target.write(buf, offset, Math.floor(length / 2), position);
                throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
              }
              return target.write(buf, offset, length, position);
            };
          }
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const j = await openJ({ openFile });
    const a = await j.create(newJob(1));
    await j.update(a.id, { state: 'downloading' });
    failNext = true;
    await expect(j.update(a.id, { state: 'placing' })).rejects.toMatchObject({ code: 'DISK_FULL' });
    expect(j.get(a.id)?.state).toBe('downloading');
    await j.update(a.id, { attempts: 2 });
    await j.close();

    const again = await openJ();
    expect(again.get(a.id)).toMatchObject({ state: 'downloading', attempts: 2 });
  });

  it('compacts a long log into the live records only, and reloads the same state', async () => {
    const j = await openJ({ compactMinBytes: 8 * 1024 });
    const jobs = await Promise.all(Array.from({ length: 5 }, (_, i) => j.create(newJob(i))));
    const finished = await j.create(newJob(99, { contentHash: 'finished' }));
    await j.update(finished.id, { state: 'done', output: '/out/99.mp4' });
    for (let n = 0; n < 400; n++) await j.update(jobs[n % 5]!.id, { percent: n % 100, attempts: n });
    const bytes = (await stat(join(journals.dir, JOURNAL_FILE))).size;
    expect(bytes).toBeLessThan(20 * 1024);
    await j.close();
    const again = await openJ();
    for (const [i, job] of jobs.entries()) expect(again.get(job.id)?.attempts).toBe(395 + i);
    expect(again.findDone('finished', 'rule-v1')?.id).toBe(finished.id);
    expect((await readdir(journals.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('lets a read-only reader see acknowledged jobs without repairing or writing the file', async () => {
    const j = await openJ();
    const a = await j.create(newJob(1));
    await j.update(a.id, { state: 'rendering', percent: 40 });
    await appendFile(join(journals.dir, JOURNAL_FILE), 'deadbeef {"id":"x"');
    const before = (await stat(join(journals.dir, JOURNAL_FILE))).size;
    const reader = await openJ({ readOnly: true });
    expect(reader.get(a.id)).toMatchObject({ state: 'rendering', percent: 40 });
    await expect(reader.update(a.id, { state: 'done' })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await stat(join(journals.dir, JOURNAL_FILE))).size).toBe(before);
  });

  it('loads an empty state journals.dir and one whose journal does not exist yet', async () => {
    const reader = await openJournal(join(journals.dir, 'missing'), { readOnly: true });
    expect(reader.list()).toEqual([]);
    await reader.close();
    const j = await openJ();
    expect(j.list()).toEqual([]);
  });
});
