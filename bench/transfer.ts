/**
 * Upload and download at the speed of the pipe: the cloud client's upload of a 400 MiB file to the
 * API emulator against `curl -F` to the same endpoint, and its download of the same bytes (from the
 * emulator's CDN route) against `curl -o`, alternating, in one run. The emulator runs in its own
 * process, and so does each client transfer, so the client's peak memory is its own.
 * `--transfer-mb N` changes the file size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { nodeAtomicWriteFs } from '../src/core/atomic-write.js';
import { systemClock } from '../src/core/clock.js';
import { fsyncFile } from '../src/core/fsync.js';
import { silentLogger } from '../src/core/logger.js';
import { NemoClient } from '../src/engines/nemo/client.js';
import { makeVideo } from '../test/helpers/media.js';
import {
  formatMs,
  formatRate,
  machineLine,
  median,
  type BenchContext,
  type Benchmark,
  type Section,
} from './report.js';

const CHILD_ENV = 'VIDEO_INBOX_BENCH_TRANSFER';
const SELF = fileURLToPath(import.meta.url);

/** What a client transfer in a child process reports. */
interface ChildResult {
  ms: number;
  /** RSS just before the transfer, and the process's peak RSS (bytes). */
  rssBefore: number;
  maxRss: number;
  /** CPU time of the transfer (user + system, all threads of the process). */
  cpuMs: number;
  /** The user part of it (the rest is the kernel's: socket reads, file writes). */
  userMs: number;
  cdnUrl?: string;
}

/**
 * `clear`: the previous run's files, removed (untimed) just before this transfer starts, as they are
 * just before curl starts: see `removeAll`.
 */
type ChildJob = { clear?: string[] } & (
  | { kind: 'upload'; baseUrl: string; stateDir: string; path: string }
  | { kind: 'download'; baseUrl: string; stateDir: string; url: string; dest: string }
);

/** Runs in the child: one client transfer, timed from the call to its return. */
async function child(job: ChildJob): Promise<ChildResult> {
  const client = new NemoClient({
    baseUrl: job.baseUrl,
    stateDir: job.stateDir,
    log: silentLogger(),
    clock: systemClock,
    fs: nodeAtomicWriteFs,
    requestTimeoutMs: 120_000,
    transferIdleMs: 120_000,
    maxUploadBytes: 2 ** 40,
  });
  if (job.kind === 'upload') {
    const { sessionId } = await client.createSession('en');
    await settled();
    await removeAll(job.clear);
    const { result: files, ...figures } = await timed(() => client.uploadFile(sessionId, job.path));
    return { ...figures, cdnUrl: files[0]?.cdnUrl };
  }
  await client.tokens.token();
  await settled();
  await removeAll(job.clear);
  const { result: _bytes, ...figures } = await timed(() => client.download(job.url, job.dest));
  return figures;
}

/**
 * Waits until the process is idle (under 3 ms of CPU, all threads, in 100 ms; at most 5 s). The
 * session or token call before a transfer is the process's first use of undici: V8 then compiles
 * undici's HTTP parser (WebAssembly) on a background thread for a few hundred ms, 70-100 ms of CPU
 * that fell inside the timed transfer. A daemon pays that once per process, not per transfer; the
 * transfer is timed as a running daemon makes it.
 */
async function settled(): Promise<void> {
  const until = performance.now() + 5000;
  while (performance.now() < until) {
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 100));
    const used = process.cpuUsage(before);
    if (used.user + used.system < 3000) return;
  }
  process.stderr.write('transfer: the client process did not settle within 5 s; timing it anyway\n');
}

/**
 * Why each side removes the previous run's files itself, right before its transfer: on this virtual
 * machine the kernel hands freed memory back to the host about two seconds after it is freed
 * (virtio-balloon free page reporting), and page cache written into such memory costs 6-10 times as
 * much kernel time (400 MiB: 0.1 s into memory freed a moment earlier, 0.64-1.14 s three seconds
 * later, by `dd`). The runs used to remove their files as they ended: curl then started at once, in
 * memory its predecessor had just freed, and the client only after its process start and settling,
 * in memory given back meanwhile. Each download's page cache, and the emulator's for each upload, now
 * starts from memory freed the same moment before either side.
 */
async function removeAll(paths: readonly string[] = []): Promise<void> {
  for (const path of paths) await rm(path, { force: true });
}

/** Runs `transfer`, with its wall time, its CPU time (all of it, and the user part) and its memory. */
async function timed<T>(transfer: () => Promise<T>): Promise<ChildResult & { result: T }> {
  const rssBefore = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await transfer();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    result,
    ms,
    rssBefore,
    maxRss: process.resourceUsage().maxRSS * 1024,
    cpuMs: (used.user + used.system) / 1000,
    userMs: used.user / 1000,
  };
}

function runChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [SELF], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('error', fail);
    proc.once('close', (code) => {
      if (code !== 0) return fail(new Error(`client ${job.kind} exited with ${code}`));
      done(JSON.parse(out) as ChildResult);
    });
  });
}

/**
 * curl's own transfer time (`%{time_total}`), so its process start-up is left out as the client's
 * is, and its CPU time (user + system, from `time`; start-up included, a few ms).
 */
function curl(args: string[]): Promise<{ ms: number; cpuMs: number; userMs: number }> {
  return new Promise((done, fail) => {
    const proc = spawn(
      '/usr/bin/time',
      ['-f', 'cpu %U %S', 'curl', '-sS', '--fail', '-w', '%{time_total}', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.once('error', fail);
    proc.once('close', (code) => {
      const cpu = /^cpu ([\d.]+) ([\d.]+)$/m.exec(err);
      if (code !== 0 || !cpu) return fail(new Error(`curl: ${err}`));
      done({
        ms: Number(out.trim().split(/\s+/).pop()) * 1000,
        cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000,
        userMs: Number(cpu[1]) * 1000,
      });
    });
  });
}

function startEmulator(workDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [resolve('dist/test/emulator/main.js')], {
      env: {
        ...process.env,
        EMULATOR_OPTIONS: JSON.stringify({ seed: 1, maxUploadBytes: 2 ** 40, workDir }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.once('error', fail);
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url)
        done({
          url,
          stop: () =>
            new Promise((stopped) => {
              proc.once('close', () => stopped());
              proc.kill('SIGTERM');
            }),
        });
    });
  });
}

/** A real MP4 header (the download checks for `ftyp`) followed by random bytes up to `size`. */
async function makeInput(path: string, size: number): Promise<void> {
  await makeVideo(path);
  const handle = await open(path, 'r+');
  try {
    let at = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(8 * 2 ** 20);
    while (at < size) {
      const n = Math.min(chunk.length, size - at);
      randomFillSync(chunk, 0, n);
      await handle.write(chunk, 0, n, at);
      at += n;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

async function run(ctx: BenchContext): Promise<Section> {
  const argMb = ctx.args.includes('--transfer-mb')
    ? Number(ctx.args[ctx.args.indexOf('--transfer-mb') + 1])
    : 0;
  const size = (argMb > 0 ? argMb : 400) * 2 ** 20;
  const machine = machineLine([`curl ${await curlVersion()}`]);
  const input = join(ctx.work, 'upload.mp4');
  ctx.log(`transfer: writing a ${mb(size)} input`);
  await makeInput(input, size);
  const stateDir = join(ctx.work, 'state');
  const emuDir = join(ctx.work, 'emulator');
  await mkdir(emuDir, { recursive: true });
  const emu = await startEmulator(emuDir);
  try {
    // One token and session for curl, taken through the client as the daemon would.
    const client = new NemoClient({
      baseUrl: emu.url,
      stateDir,
      log: silentLogger(),
      clock: systemClock,
      fs: nodeAtomicWriteFs,
    });
    const token = await client.tokens.token();
    const { sessionId } = await client.createSession('en');
    const uploadUrl = `${emu.url}/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`;

    const up = { ours: [] as number[], curl: [] as number[], growth: [] as number[], peak: [] as number[] };
    const down = { ours: [] as number[], curl: [] as number[], sync: [] as number[], growth: [] as number[] };
    const cpu = {
      up: [] as number[],
      upCurl: [] as number[],
      down: [] as number[],
      downCurl: [] as number[],
      /** User time of each download (progress lines only). */
      downUser: [] as number[],
      downCurlUser: [] as number[],
    };
    // The downloads come first, after one untimed upload of the file they fetch: timed after the
    // upload runs, they shared the machine with the writeback of the emulator's stored uploads (nine
    // of each side's), and their first runs were the slow ones. Then one untimed download each.
    const cdnUrl = (await runChild({ kind: 'upload', baseUrl: emu.url, stateDir, path: input })).cdnUrl;
    if (!cdnUrl) throw new Error('the upload answer had no cdn_url');
    spawnSync('sync', { stdio: 'ignore' });
    const warmUp = join(ctx.work, 'download-warm-up.mp4');
    await runChild({ kind: 'download', baseUrl: emu.url, stateDir, url: cdnUrl, dest: warmUp });
    await rm(warmUp, { force: true });
    await curl(['-o', warmUp, cdnUrl]);
    await rm(warmUp, { force: true });
    spawnSync('sync', { stdio: 'ignore' });
    // The last run's file: removed by the next run just before its transfer (see removeAll).
    let previous: string[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      const order = i % 2 === 0 ? (['ours', 'curl'] as const) : (['curl', 'ours'] as const);
      for (const side of order) {
        const dest = join(ctx.work, `download-${side}.mp4`);
        if (side === 'ours') {
          const job = { kind: 'download', baseUrl: emu.url, stateDir, url: cdnUrl, dest } as const;
          const r = await runChild({ ...job, clear: [...previous, dest] });
          down.ours.push(r.ms);
          cpu.down.push(r.cpuMs);
          cpu.downUser.push(r.userMs);
          down.growth.push(r.maxRss - r.rssBefore);
        } else {
          await removeAll([...previous, dest]);
          const { ms, cpuMs, userMs } = await curl(['-o', dest, cdnUrl]);
          cpu.downCurl.push(cpuMs);
          cpu.downCurlUser.push(userMs);
          // The client flushes the file to disk before it calls it done; so must the peer.
          const t = performance.now();
          await fsyncFile(dest);
          const syncMs = performance.now() - t;
          down.curl.push(ms + syncMs);
          down.sync.push(syncMs);
        }
        if ((await stat(dest)).size !== size) throw new Error(`${side} download has the wrong size`);
        previous = [dest];
      }
      ctx.log(
        `transfer: download run ${i + 1}/${ctx.runs}: client ${formatMs(down.ours[i]!)} (CPU ${formatMs(cpu.down[i]!)}, user ${formatMs(cpu.downUser[i]!)}), curl ${formatMs(down.curl[i]!)} (CPU ${formatMs(cpu.downCurl[i]!)}, user ${formatMs(cpu.downCurlUser[i]!)})`,
      );
    }
    await removeAll(previous);
    // The emulator stores every upload on disk. Kept, eighteen 400 MiB uploads pile up gigabytes
    // for the kernel to write back, and from the fifth run or so both sides are timed against the
    // disk's write speed instead of the transfer's: each timed upload's stored copy is removed
    // (untimed) by the next run, just before its transfer. The file the downloads fetch stays.
    const uploadsDir = join(emuDir, 'uploads');
    const kept = new Set(await readdir(uploadsDir));
    // Removed by the next run just before its transfer (see removeAll), and after the last one.
    const storedUploads = async () =>
      (await readdir(uploadsDir)).filter((name) => !kept.has(name)).map((name) => join(uploadsDir, name));
    spawnSync('sync', { stdio: 'ignore' });
    for (let i = 0; i < ctx.runs; i++) {
      const order = i % 2 === 0 ? (['ours', 'curl'] as const) : (['curl', 'ours'] as const);
      for (const side of order) {
        if (side === 'ours') {
          const job = { kind: 'upload', baseUrl: emu.url, stateDir, path: input } as const;
          const r = await runChild({ ...job, clear: await storedUploads() });
          up.ours.push(r.ms);
          cpu.up.push(r.cpuMs);
          up.growth.push(r.maxRss - r.rssBefore);
          up.peak.push(r.maxRss);
        } else {
          await removeAll(await storedUploads());
          const c = await curl([
            '-o',
            '/dev/null',
            '-H',
            `Authorization: Bearer ${token}`,
            '-F',
            `files=@${input};type=video/mp4`,
            uploadUrl,
          ]);
          up.curl.push(c.ms);
          cpu.upCurl.push(c.cpuMs);
        }
      }
      ctx.log(
        `transfer: upload run ${i + 1}/${ctx.runs}: client ${formatMs(up.ours[i]!)} (CPU ${formatMs(cpu.up[i]!)}), curl ${formatMs(up.curl[i]!)} (CPU ${formatMs(cpu.upCurl[i]!)})`,
      );
    }
    await removeAll(await storedUploads());
    const upMs = median(up.ours);
    const downMs = median(down.ours);
    return {
      id: 'transfer',
      title: 'Upload and download vs curl',
      intro:
        `A ${mb(size)} file (an MP4 header, then random bytes) to and from the API emulator on loopback, ` +
        `median of ${ctx.runs} runs each, alternating with curl against the same server (downloads first, after ` +
        "one untimed upload and one untimed download each; then the uploads). Each run's file (the downloaded copy, the emulator's stored upload) is removed just before the next run's transfer, by whichever side runs next, so both write into memory freed the same moment before. Each client " +
        "transfer runs in a fresh process, timed from the call to its return, once the process is idle after its first API call (as in a running daemon; the first call sets V8 compiling undici's parser in the background); curl by its own `time_total`.",
      figures: [
        {
          what: `upload (multipart, ${mb(size)})`,
          oursMs: upMs,
          peer: '`curl -F files=@…`',
          peerMs: median(up.curl),
          goal: { maxRatio: 1.1 },
          note: `${formatRate(size, upMs)}; RSS +${mb(median(up.growth))} during the transfer (peak ${mb(median(up.peak))})`,
        },
        {
          what: `download (${mb(size)}, flushed to disk)`,
          oursMs: downMs,
          peer: '`curl -o` then fsync',
          peerMs: median(down.curl),
          goal: { maxRatio: 1.1 },
          note: `${formatRate(size, downMs)}; RSS +${mb(median(down.growth))} during the transfer`,
        },
      ],
      details: [
        `The client's download writes to a temp file, checks the MP4 header and the length, fsyncs, and ` +
          `renames it into place; curl's time has the same fsync added (median ${formatMs(median(down.sync))}), ` +
          `so both sides end with the bytes on disk. Without it curl took ${formatMs(median(down.curl) - median(down.sync))}.`,
        'The emulator saves an upload to disk as it arrives, so the upload figures include its writes for both sides.',
        `CPU time (user + system, median), the figure that varies least with the machine's load: upload ` +
          `${formatMs(median(cpu.up))} for the client against ${formatMs(median(cpu.upCurl))} for curl, download ` +
          `${formatMs(median(cpu.down))} against ${formatMs(median(cpu.downCurl))} (curl's fsync not included).`,
      ],
      command: `npm run bench -- --only transfer${argMb > 0 ? ` --transfer-mb ${argMb}` : ''}`,
      machine,
    };
  } finally {
    await emu.stop();
  }
}

async function curlVersion(): Promise<string> {
  return new Promise((done) => {
    const proc = spawn('curl', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('error', () => done('(missing)'));
    proc.once('close', () => done(out.split(' ')[1] ?? '?'));
  });
}

export const benchmark: Benchmark = { id: 'transfer', run };

const job = process.env[CHILD_ENV];
if (job) {
  const result = await child(JSON.parse(job) as ChildJob);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}
