/**
 * Pipeline efficiency: how close the daemon comes to keeping `concurrency` cloud jobs busy at once.
 * The built CLI runs against the API emulator with fixed latencies (each instruction streams for
 * 2 s, a render completes after 5 polls at `pollSeconds: 0.2`). In each run, after a warm-up file, one
 * file goes through alone (its time is the job's own latency, T1), then a batch of 3 × concurrency distinct files is
 * dropped at once. The peer is the ideal: 3 × T1, as if the pipeline cost nothing beyond the API's
 * own latency; the ratio is batch time / ideal.
 *
 * Rerun: npm run build && npm run bench -- --only pipeline (`--concurrency C`, default 3)
 */
import { execFile } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeBenchSandbox, startDaemon, type BenchSandbox, type RunningDaemon } from './daemon-sandbox.js';
import { formatMs, machineLine, median, type BenchContext, type Benchmark, type Section } from './report.js';

const run = promisify(execFile);

export const RERUN = 'npm run build && npm run bench -- --only pipeline';

const INSTRUCTION_MS = 2000;
const RENDER_POLLS = 5;
/** Batches of this many files per slot: the ideal batch time is ROUNDS × one job alone. */
const ROUNDS = 3;

/** A small real MP4 made once; each input is it plus a `free` box naming it (another content). */
async function baseVideo(work: string): Promise<Buffer> {
  const path = join(work, 'base.mp4');
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path],
  ]);
  return readFile(path);
}

function distinct(base: Buffer, tag: string): Buffer {
  const payload = Buffer.from(`video-inbox pipeline bench ${tag}`, 'utf8');
  const box = Buffer.alloc(8 + payload.length);
  box.writeUInt32BE(box.length, 0);
  box.write('free', 4, 'latin1');
  payload.copy(box, 8);
  return Buffer.concat([base, box]);
}

/** Written beside under a hidden name and renamed in, as a copy tool does. */
async function drop(sb: BenchSandbox, name: string, bytes: Buffer): Promise<void> {
  const hidden = join(sb.inbox, `.${name}.part`);
  await writeFile(hidden, bytes);
  await rename(hidden, join(sb.inbox, name));
}

interface RunFigures {
  aloneMs: number;
  batchMs: number;
  files: number;
}

async function oneRun(ctx: BenchContext, base: Buffer, concurrency: number, n: number): Promise<RunFigures> {
  const sb = await makeBenchSandbox({
    settleSeconds: 0.3,
    concurrency,
    emulator: { instructionMs: INSTRUCTION_MS, renderPolls: RENDER_POLLS, textlessRate: 0 },
  });
  const daemon: RunningDaemon = startDaemon(sb);
  try {
    await daemon.waitForLog('Watching inboxes');
    // A first job pays what the daemon does once (the token, the first process start-ups).
    await drop(sb, `warm-up-${n}.mp4`, distinct(base, `warm-up ${n} ${Date.now()}`));
    await daemon.waitForLog('Output placed', 0);
    let t = Date.now();
    await drop(sb, `alone-${n}.mp4`, distinct(base, `alone ${n} ${t}`));
    await daemon.waitForLog('Output placed', 1);
    const aloneMs = Date.now() - t;
    const files = ROUNDS * concurrency;
    t = Date.now();
    await Promise.all(
      Array.from({ length: files }, (_, i) =>
        drop(sb, `batch-${n}-${i}.mp4`, distinct(base, `batch ${n} ${i} ${t}`)),
      ),
    );
    await daemon.waitForLog('Output placed', files + 1, 300_000);
    const batchMs = Date.now() - t;
    ctx.log(
      `  pipeline run ${n + 1}: one job alone ${formatMs(aloneMs)}, ${files} jobs ${formatMs(batchMs)}`,
    );
    return { aloneMs, batchMs, files };
  } finally {
    await daemon.stop();
    await sb.close();
  }
}

export const benchmark: Benchmark = {
  id: 'pipeline',
  async run(ctx: BenchContext): Promise<Section> {
    const flag = ctx.args.indexOf('--concurrency');
    const concurrency = flag >= 0 ? Number(ctx.args[flag + 1]) : 3;
    const machine = machineLine();
    const base = await baseVideo(ctx.work);
    const runs: RunFigures[] = [];
    for (let n = 0; n < ctx.runs; n++) runs.push(await oneRun(ctx, base, concurrency, n));
    const alone = median(runs.map((r) => r.aloneMs));
    const batch = median(runs.map((r) => r.batchMs));
    const files = runs[0]!.files;
    const ideal = ROUNDS * alone;
    return {
      id: 'pipeline',
      title: 'Pipeline efficiency at concurrency C',
      intro:
        `The built daemon against the API emulator with fixed latencies (each instruction streams for ${INSTRUCTION_MS / 1000} s, ` +
        `a render completes after ${RENDER_POLLS} polls at \`pollSeconds: 0.2\`), \`concurrency: ${concurrency}\`, median of ${ctx.runs} runs. ` +
        `In each run, after a warm-up file, one file goes through alone (drop → "Output placed": the job's own latency), then ${files} distinct files are dropped at once. ` +
        `The peer is the ideal pipeline: ${ROUNDS} × the job alone, as if keeping ${concurrency} jobs busy at once cost nothing.`,
      figures: [
        {
          what: `${files} cloud jobs at \`concurrency: ${concurrency}\` (upload, instruction, render, download, place)`,
          oursMs: batch,
          peer: `ideal: ${ROUNDS} × one job alone (${formatMs(alone)})`,
          peerMs: ideal,
          note: `efficiency ${((ideal / batch) * 100).toFixed(0)} %; ${((files / batch) * 60_000).toFixed(1)} jobs per minute`,
        },
      ],
      details: [
        'Per run (one job alone / the batch): ' +
          runs.map((r) => `${formatMs(r.aloneMs)} / ${formatMs(r.batchMs)}`).join('; ') +
          '. The emulator really transcodes each upload with ffmpeg to make its render, on the same two cores.',
      ],
      command: RERUN,
      machine,
    };
  },
};
