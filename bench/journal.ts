/**
 * What the journal costs: the log size and start-up load (time and heap) of a library of done jobs,
 * and the price of durable updates, one at a time and concurrent (group commit). Run with
 * `npx tsc -p tsconfig.bench.json && node --expose-gc dist/bench/journal.js` (add `-- 100000` for
 * another library size).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { NewJob } from '../src/jobs/job.js';
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

/** JS heap plus typed-array memory (the journal's index lives in typed arrays), MB. */
function heapMb(): number {
  gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1024 / 1024;
}

export interface LibraryFigures {
  jobs: number;
  logBytes: number;
  keysBytes: number;
  /** Median load time over `runs` opens, ms. */
  loadMs: number;
  /** Median heap growth with the journal open, MB. */
  heapMb: number;
  /** Median time of a done-record lookup (findDone, read from disk), microseconds. */
  findDoneUs: number;
}

async function library(size: number, runs: number): Promise<LibraryFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-bench-journal-'));
  try {
    const writer = await openJournal(dir, { clock: systemClock });
    for (let i = 0; i < size; i += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, size - i) }, (_, k) => writer.create(job(i + k))),
      );
    }
    await writer.close();
    // The first open of a library written line by line folds the done lines into the keys file.
    await (await openJournal(dir, { clock: systemClock })).close();
    const logBytes = (await stat(join(dir, JOURNAL_FILE))).size;
    const keysBytes = await stat(join(dir, 'journal.keys')).then(
      (s) => s.size,
      () => 0,
    );

    const loads: number[] = [];
    const heaps: number[] = [];
    const finds: number[] = [];
    for (let r = 0; r < runs; r++) {
      const before = heapMb();
      const t1 = performance.now();
      const reader = await openJournal(dir, { clock: systemClock });
      loads.push(performance.now() - t1);
      heaps.push(heapMb() - before);
      const t2 = performance.now();
      for (let k = 0; k < 1000; k++) {
        const n = (k * 7919) % size;
        if (reader.findDone(job(n).contentHash, 'b3f1c2a9e0d4')?.source !== job(n).source) {
          throw new Error(`findDone lost job ${n}`);
        }
      }
      finds.push(((performance.now() - t2) / 1000) * 1000);
      await reader.close();
    }
    const figures = {
      jobs: size,
      logBytes,
      keysBytes,
      loadMs: median(loads),
      heapMb: median(heaps),
      findDoneUs: median(finds),
    };
    console.log(
      `${size} done jobs: log ${(logBytes / 1024 / 1024).toFixed(1)} MB (${Math.round(logBytes / size)} B/job) ` +
        `+ keys ${(keysBytes / 1024 / 1024).toFixed(1)} MB; load median ${Math.round(figures.loadMs)} ms ` +
        `(runs: ${loads.map((x) => Math.round(x)).join(', ')}), heap +${figures.heapMb.toFixed(1)} MB` +
        `${gc ? '' : ' (run with --expose-gc for a steadier figure)'}, findDone ${figures.findDoneUs.toFixed(1)} µs`,
    );
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface UpdateFigures {
  sequentialMs: number;
  concurrentMs: number;
}

async function updates(): Promise<UpdateFigures> {
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
    return { sequentialMs: seqMs / n, concurrentMs: concMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const RERUN = 'npx tsc -p tsconfig.bench.json && node --expose-gc dist/bench/journal.js 10000 100000';

/**
 * Journal scale: for each library size, the log and keys file on disk, the median load time and
 * heap growth over `runs` opens, and a done lookup's cost; then durable update costs.
 */
export async function run(
  opts: { sizes?: number[]; runs?: number } = {},
): Promise<{ libraries: LibraryFigures[]; updates: UpdateFigures }> {
  const libraries: LibraryFigures[] = [];
  for (const size of opts.sizes ?? [10_000, 100_000]) libraries.push(await library(size, opts.runs ?? 5));
  const figures = { libraries, updates: await updates() };
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(`Rerun: ${RERUN}`);
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  await run({ sizes: sizes.length > 0 ? sizes : undefined });
}
