/**
 * Idle scale: the built daemon over an inbox that holds 10,000 unrelated files (photos and notes in
 * 100 subfolders). Measures the time from spawn to the "Watching inboxes" log line, the resident
 * memory (VmRSS from /proc/<pid>/status) once the start-up settle is over, and the CPU it uses
 * while idle (utime + stime from /proc/<pid>/stat over 30 s). Linux only.
 * Goals: watching < 3 s, RSS < 120 MB, idle CPU < 1 %.
 *
 * Rerun: npx tsc -p tsconfig.bench.json && node dist/bench/idle-scale.js [files] [idleSeconds]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeBenchSandbox, startDaemon } from './daemon-sandbox.js';

export const RERUN = 'npx tsc -p tsconfig.bench.json && node dist/bench/idle-scale.js 10000 30';

export interface IdleFigures {
  files: number;
  watchingMs: number;
  rssMb: number;
  idleCpuPercent: number;
  idleSeconds: number;
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

export async function run(opts: { files?: number; idleSeconds?: number } = {}): Promise<IdleFigures> {
  const files = opts.files ?? 10_000;
  const idleSeconds = opts.idleSeconds ?? 30;
  const sb = await makeBenchSandbox({ settleSeconds: 2 });
  try {
    await fillInbox(sb.inbox, files);
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
      };
      console.log(
        `idle scale (${files} unrelated files): watching after ${watchingMs} ms, RSS ${figures.rssMb} MB, ` +
          `idle CPU ${figures.idleCpuPercent} % over ${idleSeconds} s`,
      );
      console.log(`Rerun: ${RERUN}`);
      return figures;
    } finally {
      await daemon.stop();
    }
  } finally {
    await sb.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [files, idle] = process.argv.slice(2).map(Number);
  await run({ files: files! > 0 ? files : undefined, idleSeconds: idle! > 0 ? idle : undefined });
}
