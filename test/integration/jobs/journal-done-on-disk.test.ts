import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobRecord, NewJob } from '../../../src/domain/job.js';
import { JOURNAL_FILE, type Journal } from '../../../src/jobs/journal.js';
import { KEYS_FILE } from '../../../src/jobs/journal-keys.js';
import { newJob as makeJob, useJournalDir } from './journal-suite.js';

/*
 * Done jobs are kept on disk: memory holds where each done line is and hashes of its keys, and the
 * record is read back when asked for. These tests check that what comes back is what was written,
 * through reopens, compactions, a torn tail and a keys file that does not belong to the log.
 */

/** Jobs alternate between two folders. */
function newJob(n: number, over: Partial<NewJob> = {}): NewJob {
  return makeJob(n, { folder: n % 2 ? 'avi-to-mp4' : 'mov-to-mp4', ...over });
}

const journals = useJournalDir('vi-journal-done-');
const openJ = (compactMinBytes?: number): Promise<Journal> => journals.open({ compactMinBytes });

/** 3,000 done jobs (enough to pass a 64 KiB compaction floor) and two still running. */
async function library(j: Journal): Promise<{ done: JobRecord[]; running: JobRecord[] }> {
  const done = await Promise.all(
    Array.from({ length: 3000 }, (_, i) =>
      j.create(newJob(i, { state: 'done', output: `/out/clip-${i}.mp4` })),
    ),
  );
  const running = [await j.create(newJob(5000)), await j.create(newJob(5001))];
  await j.update(running[0]!.id, { state: 'rendering', percent: 40, remote: { sessionId: 's' } });
  running[0] = (await openJournalGet(j, running[0]!.id))!;
  return { done, running };
}

function openJournalGet(j: Journal, id: string): Promise<JobRecord | undefined> {
  return Promise.resolve(j.get(id));
}

function expectSameLibrary(j: Journal, done: JobRecord[], running: JobRecord[], others = 0): void {
  for (const job of [done[0]!, done[1234]!, done[2999]!, ...running]) expect(j.get(job.id)).toEqual(job);
  expect(j.findDone('hash-1234', 'rule-v1')).toEqual(done[1234]);
  expect(j.findDone('hash-1234', 'rule-v2')).toBeUndefined();
  expect(j.findDoneBySource('/inbox/clip-77.avi')).toEqual(done[77]);
  expect(j.findActiveBySource('/inbox/clip-5000.avi')).toEqual(running[0]);
  const listed = j.list({ state: 'done', folder: 'avi-to-mp4' });
  expect(listed).toHaveLength(1500);
  expect(listed.find((x) => x.id === done[1001]!.id)).toEqual(done[1001]);
  expect(j.list({ source: '/inbox/clip-42.avi' })).toEqual([done[42]]);
  expect(j.list()).toHaveLength(3002 + others);
}

describe('done jobs kept on disk', () => {
  it('reads back every done record exactly as written, after a reopen that wrote the keys file', async () => {
    const j = await openJ(64 * 1024);
    const { done, running } = await library(j);
    expectSameLibrary(j, done, running);
    await j.close();

    // The first reopen folds the done lines into the keys file; the second starts from it.
    await (await openJ(64 * 1024)).close();
    expect(await readdir(journals.dir)).toContain(KEYS_FILE);
    const again = await openJ(64 * 1024);
    expectSameLibrary(again, done, running);
  });

  it('keeps answering after compactions move the done lines, and after a done job is retried', async () => {
    const j = await openJ(64 * 1024);
    const { done, running } = await library(j);
    await j.close();
    const again = await openJ(64 * 1024);
    // Enough superseded lines to compact several times while done records are being read.
    for (let n = 0; n < 600; n++) {
      await again.update(running[1]!.id, { percent: n % 100, message: `step ${n} `.repeat(20) });
      if (n % 100 === 0) expect(again.get(done[n]!.id)).toEqual(done[n]);
    }
    const retried = await again.update(done[5]!.id, { state: 'queued', attempts: 1 });
    expect(again.findDone('hash-5', 'rule-v1')).toBeUndefined();
    expect(again.findActiveBySource('/inbox/clip-5.avi')).toEqual(retried);
    await again.close();
    const third = await openJ(64 * 1024);
    expect(third.get(done[5]!.id)).toEqual(retried);
    expect(third.get(done[2500]!.id)).toEqual(done[2500]);
    expect(third.list({ state: 'done' })).toHaveLength(2999);
  });

  it('ignores a torn last line after the done lines and keeps every acknowledged job', async () => {
    const j = await openJ(64 * 1024);
    const { done, running } = await library(j);
    await j.close();
    await (await openJ(64 * 1024)).close();
    await appendFile(join(journals.dir, JOURNAL_FILE), 'deadbeef {"id":"half');
    const again = await openJ(64 * 1024);
    expectSameLibrary(again, done, running);
    const more = await again.create(newJob(6000, { state: 'done', output: '/out/6000.mp4' }));
    await again.close();
    const third = await openJ(64 * 1024);
    expect(third.get(more.id)).toEqual(more);
    expectSameLibrary(third, done, running, 1);
  });

  it('does not trust a keys file that belongs to another log (a crash between the two renames)', async () => {
    const j = await openJ(64 * 1024);
    const { done, running } = await library(j);
    await j.close();
    await (await openJ(64 * 1024)).close();
    const staleKeys = await readFile(join(journals.dir, KEYS_FILE));
    // Another compaction writes a new log and keys file; put the old keys back beside the new log.
    const again = await openJ(64 * 1024);
    for (let n = 0; n < 400; n++) await again.update(running[1]!.id, { message: `x${n}`.repeat(200) });
    await again.close();
    await writeFile(join(journals.dir, KEYS_FILE), staleKeys);
    const third = await openJ(64 * 1024);
    expectSameLibrary(third, done, [running[0]!, third.get(running[1]!.id)!]);
    // A damaged keys file is ignored the same way.
    await third.close();
    const bytes = await readFile(join(journals.dir, KEYS_FILE));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0xff, bytes.length - 10);
    await writeFile(join(journals.dir, KEYS_FILE), bytes);
    const fourth = await openJ(64 * 1024);
    expectSameLibrary(fourth, done, [running[0]!, fourth.get(running[1]!.id)!]);
  });
});
