/**
 * What the journal costs: the log size and start-up load (time and heap) of a library of done jobs,
 * and the price of durable updates, one at a time and concurrent (group commit). Run with
 * `npx tsc -p tsconfig.bench.json && node --expose-gc dist/bench/journal.js` (add `-- 100000` for
 * another library size).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewJob } from '../src/domain/job.js';
import { systemClock } from '../src/core/clock.js';
import { JOURNAL_FILE, openJournal } from '../src/jobs/journal.js';

const gc = (globalThis as { gc?: () => void }).gc;

function job(n: number): NewJob {
  return {
    folder: 'avi-to-mp4',
    source: `/home/someone/Videos/inbox/avi-to-mp4/holiday ${n}.avi`,
    sourceName: `holiday ${n}.avi`,
    size: 50_000_000 + n,
    mtimeMs: 1_700_000_000_000 + n,
    contentHash: n.toString(16).padStart(64, '0'),
    ruleVersion: 'b3f1c2a9e0d4',
    engine: 'nemo',
    state: 'done',
    output: `/home/someone/Videos/outbox/holiday ${n}.mp4`,
  };
}

function heapMb(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function library(size: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-bench-journal-'));
  try {
    const writer = await openJournal(dir, { clock: systemClock });
    const t0 = performance.now();
    for (let i = 0; i < size; i += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, size - i) }, (_, k) => writer.create(job(i + k))),
      );
    }
    const writeMs = performance.now() - t0;
    await writer.close();
    const bytes = (await stat(join(dir, JOURNAL_FILE))).size;

    const before = heapMb();
    const t1 = performance.now();
    const reader = await openJournal(dir, { clock: systemClock });
    const loadMs = performance.now() - t1;
    const after = heapMb();
    const found = reader.findDone(job(size - 1).contentHash, 'b3f1c2a9e0d4') !== undefined;
    await reader.close();
    console.log(
      `${size} done jobs: log ${(bytes / 1024 / 1024).toFixed(1)} MB (${Math.round(bytes / size)} B/job), ` +
        `written in ${Math.round(writeMs)} ms, loaded in ${Math.round(loadMs)} ms, ` +
        `heap +${(after - before).toFixed(1)} MB${gc ? '' : ' (run with --expose-gc for a steadier figure)'}, index ok: ${found}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function updates(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-bench-journal-'));
  try {
    const j = await openJournal(dir, { clock: systemClock });
    const one = await j.create({ ...job(0), state: 'queued' });
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await j.update(one.id, { percent: i % 100 });
    const seqMs = performance.now() - t0;
    const jobs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => j.create({ ...job(i + 1), state: 'queued' })),
    );
    const t1 = performance.now();
    await Promise.all(
      jobs.map(async (x) => {
        for (let i = 0; i < 20; i++) await j.update(x.id, { percent: i });
      }),
    );
    const concMs = performance.now() - t1;
    await j.close();
    console.log(
      `durable updates: ${(seqMs / n).toFixed(2)} ms each one at a time; ` +
        `1000 updates from 50 concurrent jobs in ${Math.round(concMs)} ms (${(concMs / 1000).toFixed(2)} ms each)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  for (const size of sizes.length > 0 ? sizes : [10_000]) await library(size);
  await updates();
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log('Rerun: npx tsc -p tsconfig.bench.json && node --expose-gc dist/bench/journal.js 10000 100000');
}

await main();
