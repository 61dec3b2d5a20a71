/**
 * What the journal costs: the log size and start-up load (time and heap) of a library of done jobs,
 * and the price of durable updates, one at a time and concurrent (group commit).
 * `npm run bench -- --only journal` (add `--jobs 10000,100000` for other library sizes). Its peer
 * is a plain read of a file of the same size: the floor for loading anything from that log.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewJob } from '../src/domain/job.js';
import { systemClock } from '../src/core/clock.js';
import { JOURNAL_FILE, openJournal } from '../src/jobs/journal.js';
import {
  formatMs,
  machineLine,
  type BenchContext,
  type Benchmark,
  type Figure,
  type Section,
} from './report.js';

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

/** Opens the journal in `dir`, timed, with its heap growth; checks it finds the newest done job. */
async function timedOpen(dir: string, size: number): Promise<{ ms: number; heap: number }> {
  const before = heapMb();
  const t = performance.now();
  const reader = await openJournal(dir, { clock: systemClock });
  const ms = performance.now() - t;
  const heap = heapMb() - before;
  const found = reader.findDone(job(size - 1).contentHash, 'b3f1c2a9e0d4') !== undefined;
  await reader.close();
  if (!found) throw new Error('the reopened journal does not find its last job');
  return { ms, heap };
}

/**
 * Two loads of a library of `size` done jobs, written one line each and never compacted while
 * written: the first start after that parses every line and compacts (it writes the keys file); the
 * next start, as a daemon's journal normally is, reads the keys file and parses nothing.
 */
async function library(
  size: number,
  log: (line: string) => void,
): Promise<{ figures: Figure[]; heap: number }> {
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

    const first = await timedOpen(dir, size);
    const next = await timedOpen(dir, size);
    const t2 = performance.now();
    await readFile(join(dir, JOURNAL_FILE));
    const readMs = performance.now() - t2;
    log(`journal: ${size} done jobs written in ${Math.round(writeMs)} ms`);
    const n = size.toLocaleString('en');
    const heapNote = (heap: number) =>
      `heap +${heap.toFixed(1)} MB${gc ? '' : ' (without --expose-gc: rough)'}`;
    return {
      heap: next.heap,
      figures: [
        {
          what: `load ${n} done jobs (a start: the keys file is current)`,
          oursMs: next.ms,
          peer: 'read the log file whole',
          peerMs: readMs,
          note: `log ${(bytes / 1024 / 1024).toFixed(1)} MB (${Math.round(bytes / size)} B/job), ${heapNote(next.heap)}`,
        },
        {
          what: `load ${n} done jobs, the first start after they were appended (parses every line, compacts)`,
          oursMs: first.ms,
          peer: 'read the log file whole',
          peerMs: readMs,
          note: heapNote(first.heap),
        },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function updates(): Promise<string> {
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
    return (
      `Durable updates (appended, fsynced): ${(seqMs / n).toFixed(2)} ms each one at a time; ` +
      `1,000 updates from 50 concurrent jobs in ${formatMs(concMs)} (${(concMs / 1000).toFixed(2)} ms each), ` +
      'because updates queued together share one fsync (group commit).'
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(ctx: BenchContext): Promise<Section> {
  const machine = machineLine();
  const arg = ctx.args.includes('--jobs') ? ctx.args[ctx.args.indexOf('--jobs') + 1] : undefined;
  const sizes = (arg ?? '10000,100000')
    .split(',')
    .map(Number)
    .filter((x) => x > 0);
  const figures: Figure[] = [];
  const goal: string[] = [];
  for (const size of sizes) {
    const { figures: two, heap } = await library(size, ctx.log);
    figures.push(...two);
    if (size === 100_000) {
      const ms = two[0]!.oursMs;
      const met = ms < 300 && heap < 30;
      goal.push(
        `The goal, for a start with 100,000 done jobs: load < 300 ms and < 30 MB of heap: ${met ? 'met' : 'missed'} ` +
          `(${formatMs(ms)}, +${heap.toFixed(1)} MB).`,
      );
    }
  }
  return {
    id: 'journal',
    title: 'Journal: start-up cost of a large library, and durable updates',
    intro:
      'A daemon left running for months accumulates done jobs; the journal keeps each one compact and ' +
      'loads them at start to answer "was this content converted before?". Done records stay on disk: ' +
      'compaction puts their lines first in the log and writes `journal.keys` beside it (offsets and key ' +
      'hashes), so a start reads the keys file instead of parsing every line. Per size, a library written ' +
      'one done line per job without a compaction is opened twice: the first start parses the lines and ' +
      'compacts, the next one is a start as a daemon normally makes it. Beside a plain read of the same log file. src/jobs/README.md says why not SQLite.',
    figures,
    details: [...goal, await updates()],
    command: `npm run bench -- --only journal${arg ? ` --jobs ${arg}` : ''}`,
    machine,
  };
}

export const benchmark: Benchmark = { id: 'journal', run };
