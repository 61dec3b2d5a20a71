/**
 * Idle scale: the built daemon over an inbox that holds 10,000 unrelated files (photos and notes in
 * 100 subfolders). Measures the time from spawn to the "Watching inboxes" log line, the resident
 * memory (VmRSS from /proc/<pid>/status) once the start-up settle is over, and the CPU it uses
 * while idle (utime + stime from /proc/<pid>/stat over 30 s). Linux only.
 * Goals: watching < 3 s, RSS < 120 MB, idle CPU < 1 %.
 *
 * Rerun: npm run bench -- --only idle-scale (`--files N`, `--idle-seconds S`; defaults 10,000 and 30)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { makeBenchSandbox, median, startDaemon } from './daemon-sandbox.js';
import { machineLine, type BenchContext, type Benchmark, type Section } from './report.js';

export const RERUN = 'npm run bench -- --only idle-scale';

export interface IdleFigures {
  files: number;
  watchingMs: number;
  rssMb: number;
  idleCpuPercent: number;
  idleSeconds: number;
  /** Median wall time of `find <inbox> -type f` over the same tree (the peer), ms. */
  findMs: number;
}

const CLK_TCK = 100;

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function fillInbox(inbox: string, files: number): Promise<void> {
  const perDir = 100;
  for (let d = 0; d < Math.ceil(files / perDir); d++) {
    const sub = join(inbox, `album ${d}`, d % 3 === 0 ? 'notes' : '');
    await mkdir(sub, { recursive: true });
    const batch: Promise<void>[] = [];
    for (let i = 0; i < perDir && d * perDir + i < files; i++) {
      const photo = i % 4 !== 0;
      const name = photo ? `IMG_${d}_${i}.jpg` : `note ${d}-${i}.txt`;
      batch.push(writeFile(join(sub, name), randomBytes(photo ? 2048 : 200)));
    }
    await Promise.all(batch);
  }
}

/** The peer: listing the same tree with `find`, the least any watcher's initial scan does. */
async function timeFind(dir: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await promisify(execFile)('find', [dir, '-type', 'f'], { maxBuffer: 64 * 2 ** 20 });
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function run(
  opts: { files?: number; idleSeconds?: number; runs?: number; log?: (line: string) => void } = {},
): Promise<IdleFigures> {
  const files = opts.files ?? 10_000;
  const idleSeconds = opts.idleSeconds ?? 30;
  const log = opts.log ?? ((line: string) => console.log(line));
  const sb = await makeBenchSandbox({ settleSeconds: 2 });
  try {
    await fillInbox(sb.inbox, files);
    const findMs = await timeFind(sb.inbox, opts.runs ?? 3);
    const daemon = startDaemon(sb);
    try {
      const watching = await daemon.waitForLog('Watching inboxes');
      const watchingMs = Number(watching.time) - daemon.startedAt;
      const pid = daemon.proc.pid!;
      // Let the start-up scan's candidates settle and be judged (a few windows).
      await new Promise((r) => setTimeout(r, 10_000));
      const rss = await rssMb(pid);
      const t0 = await cpuTicks(pid);
      const w0 = Date.now();
      await new Promise((r) => setTimeout(r, idleSeconds * 1000));
      const cpuSeconds = ((await cpuTicks(pid)) - t0) / CLK_TCK;
      const wall = (Date.now() - w0) / 1000;
      const figures: IdleFigures = {
        files,
        watchingMs,
        rssMb: Math.round(rss * 10) / 10,
        idleCpuPercent: Math.round((cpuSeconds / wall) * 1000) / 10,
        idleSeconds,
        findMs,
      };
      log(
        `idle scale (${files} unrelated files): watching after ${watchingMs} ms, RSS ${figures.rssMb} MB, ` +
          `idle CPU ${figures.idleCpuPercent} % over ${idleSeconds} s`,
      );
      return figures;
    } finally {
      await daemon.stop();
    }
  } finally {
    await sb.close();
  }
}

function argNumber(args: readonly string[], flag: string): number | undefined {
  const at = args.indexOf(flag);
  const n = at >= 0 ? Number(args[at + 1]) : NaN;
  return n > 0 ? n : undefined;
}

const verdict = (met: boolean) => (met ? 'met' : 'missed');

export const benchmark: Benchmark = {
  id: 'idle-scale',
  async run(ctx: BenchContext): Promise<Section> {
    const machine = machineLine();
    const f = await run({
      files: argNumber(ctx.args, '--files') ?? 10_000,
      idleSeconds: argNumber(ctx.args, '--idle-seconds') ?? 30,
      runs: ctx.runs,
      log: ctx.log,
    });
    const count = f.files.toLocaleString('en-US');
    return {
      id: 'idle-scale',
      title: `Idle scale: an inbox holding ${count} unrelated files`,
      intro:
        `The built daemon over an inbox with ${count} photos and notes in subfolders (the rule takes only ` +
        `videos): time from spawn to \`Watching inboxes\`, beside \`find -type f\` listing the same tree ` +
        `(median of ${ctx.runs}), then VmRSS after a 10 s settle and CPU over ${f.idleSeconds} s idle ` +
        `from \`/proc/<pid>/stat\`. One daemon run.`,
      figures: [
        {
          what: `spawn → \`Watching inboxes\` (${count} files)`,
          oursMs: f.watchingMs,
          peer: '`find -type f`',
          peerMs: f.findMs,
          note: `goal < 3 s: ${verdict(f.watchingMs < 3000)}`,
        },
      ],
      details: [
        `| Idle measure | video-inbox | Goal |`,
        `|---|---|---|`,
        `| RSS after settling | ${f.rssMb} MB | < 120 MB: ${verdict(f.rssMb < 120)} |`,
        `| idle CPU (${f.idleSeconds} s) | ${f.idleCpuPercent} % | < 1 %: ${verdict(f.idleCpuPercent < 1)} |`,
      ],
      command: RERUN,
      machine,
    };
  },
};
