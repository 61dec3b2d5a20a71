/**
 * How much the local engine adds on top of plain ffmpeg: the same generated inputs, the same ffmpeg
 * arguments, timed both ways. Run with `npm run bench` (add `-- --runs 5`; `-- --only remux` for one case;
 * `-- --write` to update docs/BENCHMARKS.md).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/core/logger.js';
import type { EngineRequest } from '../src/engines/engine.js';
import { buildFfmpegArgs } from '../src/engines/local/ffmpeg-args.js';
import { detectFfmpegFeatures } from '../src/engines/local/ffmpeg-version.js';
import { createLocalEngine } from '../src/engines/local/local-engine.js';
import { planConversion } from '../src/engines/local/plan.js';
import { probeMedia } from '../src/engines/local/probe.js';
import { fsyncFile } from '../src/core/fsync.js';
import { makeVideo, type MediaSpec } from '../test/helpers/media.js';

interface Case {
  name: string;
  file: string;
  spec: MediaSpec;
}

const CASES: Case[] = [
  {
    name: 'remux: H.264/AAC MOV, 1280x720, 60 s, small (test pattern, ~3 MB)',
    file: 'remux-720p-60s.mov',
    spec: { width: 1280, height: 720, durationSec: 60, fps: 30 },
  },
  {
    // Noise keeps the encoder from compressing the pattern away: the size of a real phone clip.
    name: 'remux: H.264/AAC MOV, 1280x720, 30 s at 12 Mbit/s (~46 MB)',
    file: 'remux-720p-30s-12M.mov',
    spec: {
      width: 1280,
      height: 720,
      durationSec: 30,
      fps: 30,
      extra: ['-vf', 'noise=alls=10:allf=t', '-b:v', '12M', '-maxrate', '12M', '-bufsize', '24M'],
    },
  },
  {
    name: 'transcode: MPEG-4 Part 2/MP3 AVI, 1280x720, 10 s (CRF 18, medium)',
    file: 'transcode-720p-10s.avi',
    spec: {
      videoCodec: 'mpeg4',
      audioCodec: 'libmp3lame',
      width: 1280,
      height: 720,
      durationSec: 10,
      fps: 30,
    },
  },
];

const MARK_START = '<!-- bench:local-engine:start -->';
const MARK_END = '<!-- bench:local-engine:end -->';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;
  const write = argv.includes('--write');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const work = resolve('bench/.work/local-engine');
  await mkdir(work, { recursive: true });
  const features = await detectFfmpegFeatures('ffmpeg');
  const engine = createLocalEngine({ tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }, log: silentLogger() });

  const rows: string[] = [];
  const loadAtStart = loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  for (const c of CASES.filter((x) => !only || x.name.startsWith(only))) {
    const input = join(work, c.file);
    console.error(`Generating ${c.file}…`);
    await makeVideo(input, c.spec);
    const plan = planConversion(await probeMedia(input), {}, { toneMap: features.toneMap === true });
    const engineTimes: number[] = [];
    const plainTimes: number[] = [];
    const probeTimes: number[] = [];
    const syncTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate the order so neither side always runs on a warm cache.
      const order = i % 2 === 0 ? (['engine', 'plain'] as const) : (['plain', 'engine'] as const);
      for (const side of order) {
        const out = join(work, `${side}-${i}.mp4`);
        const started = performance.now();
        if (side === 'engine') await engine.run(request(input, out), hooks());
        else await plainFfmpeg(buildFfmpegArgs(plan, input, out, features));
        (side === 'engine' ? engineTimes : plainTimes).push(performance.now() - started);
        if (side === 'plain') {
          // The engine's own steps, timed apart to explain the overhead.
          let t = performance.now();
          await probeMedia(input);
          probeTimes.push(performance.now() - t);
          t = performance.now();
          await fsyncFile(out);
          syncTimes.push(performance.now() - t);
        }
        await rm(out, { force: true });
      }
      console.error(`${c.name}: run ${i + 1}/${runs} done`);
    }
    const e = median(engineTimes);
    const p = median(plainTimes);
    rows.push(
      `| ${c.name} | ${plan.mode} | ${fmt(p)} | ${fmt(e)} | ${(e / p).toFixed(2)}× | ${fmt(e - p)} | ` +
        `${fmt(median(probeTimes))} | ${fmt(median(syncTimes))} |`,
    );
  }

  const report = [
    MARK_START,
    '## Local engine vs plain ffmpeg',
    '',
    `Median of ${runs} runs each, same inputs and the same ffmpeg arguments (\`buildFfmpegArgs\`).`,
    'The engine adds an ffprobe of the input, an fsync and a rename.',
    '',
    '| Case | Mode | Plain ffmpeg | video-inbox engine | Ratio | Overhead | of which ffprobe | of which fsync |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.version}, ${ffmpegVersion()}, load average ${loadAtStart} at the start; ` +
      'a shared machine, so read the ratios and the fixed overhead, not the absolute times.',
    '',
    `Rerun: \`npm run bench -- --runs ${runs}${write ? ' --write' : ''}\``,
    MARK_END,
  ].join('\n');
  console.log(report);
  if (write) await writeSection(resolve('docs/BENCHMARKS.md'), report);
  await rm(work, { recursive: true, force: true });
}

function request(input: string, destination: string): EngineRequest {
  return {
    jobId: 'bench',
    input,
    instructions: [],
    skill: 'bench',
    language: 'en',
    quality: 'high',
    destination,
  };
}

function hooks() {
  return { signal: new AbortController().signal, progress: () => {}, checkpoint: async () => {} };
}

function plainFfmpeg(args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', rej);
    child.once('close', (code) => (code === 0 ? res() : rej(new Error(`ffmpeg exited with ${code}`))));
  });
}

async function writeSection(path: string, section: string): Promise<void> {
  const old = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  const start = old.indexOf(MARK_START);
  const end = old.indexOf(MARK_END);
  const next =
    start >= 0 && end > start
      ? old.slice(0, start) + section + old.slice(end + MARK_END.length)
      : `${old.trimEnd()}\n\n${section}\n`;
  await writeFile(path, next);
  console.error(`Wrote ${path}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(ms: number): string {
  return Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function ffmpegVersion(): string {
  const first = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  return first.split(' Copyright')[0] ?? 'ffmpeg';
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
