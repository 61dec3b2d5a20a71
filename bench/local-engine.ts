/**
 * How much the local engine adds on top of plain ffmpeg: the same generated inputs, the same ffmpeg
 * arguments, timed both ways. `npm run bench -- --only local-engine` (add `--case remux` for the
 * cases whose name starts so; `--case cli` for the end-to-end CLI row alone; `--node <path>` to also
 * run that row on another Node).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/core/logger.js';
import type { EngineRequest } from '../src/engines/engine.js';
import { buildFfmpegArgs } from '../src/engines/local/ffmpeg-args.js';
import { detectFfmpegFeatures } from '../src/engines/local/ffmpeg-version.js';
import { createLocalEngine } from '../src/engines/local/local-engine.js';
import { remuxIndexRoomOfFile } from '../src/engines/local/mp4-index.js';
import { planConversion } from '../src/engines/local/plan.js';
import { probeMedia } from '../src/engines/local/probe.js';
import { fsyncFile } from '../src/core/fsync.js';
import { makeVideo, type MediaSpec } from '../test/helpers/media.js';
import { cliRemuxFigures } from './local-engine-cli.js';
import {
  alsoNodes,
  formatMs,
  benchNodes,
  machineLine,
  median,
  type BenchContext,
  type Benchmark,
  type Figure,
  type Section,
} from './report.js';

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

async function run(ctx: BenchContext): Promise<Section> {
  const only = ctx.args.includes('--case') ? ctx.args[ctx.args.indexOf('--case') + 1] : undefined;
  const features = await detectFfmpegFeatures('ffmpeg');
  const engine = createLocalEngine({ tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }, log: silentLogger() });
  const machine = machineLine([ffmpegVersion(), ...alsoNodes(benchNodes(ctx.args))]);
  const figures: Figure[] = [];
  for (const c of CASES.filter((x) => !only || x.name.startsWith(only))) {
    const input = join(ctx.work, c.file);
    ctx.log(`Generating ${c.file}…`);
    await makeVideo(input, c.spec);
    const media = await probeMedia(input);
    const plan = planConversion(media, {}, { toneMap: features.toneMap === true });
    // The engine's own arguments: a plain stream copy keeps room for its index (one pass).
    const room =
      plan.mode === 'remux' && plan.audioToAacK === undefined ? await remuxIndexRoomOfFile(input) : undefined;
    // A remux is also timed with the probe handed in, as the daemon and `convert` do (intake's probe).
    const sides =
      plan.mode === 'remux' ? (['engine', 'given', 'plain'] as const) : (['engine', 'plain'] as const);
    const engineTimes: number[] = [];
    const givenTimes: number[] = [];
    const plainTimes: number[] = [];
    const probeTimes: number[] = [];
    const syncTimes: number[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      // Alternate the order so neither side always runs on a warm cache.
      const order = i % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const out = join(ctx.work, `${side}-${i}.mp4`);
        const started = performance.now();
        if (side === 'engine') await engine.run(request(input, out), hooks());
        else if (side === 'given') await engine.run({ ...request(input, out), sourceMedia: media }, hooks());
        else await plainFfmpeg(buildFfmpegArgs(plan, input, out, features, room));
        ({ engine: engineTimes, given: givenTimes, plain: plainTimes })[side].push(
          performance.now() - started,
        );
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
      ctx.log(`${c.name}: run ${i + 1}/${ctx.runs} done`);
    }
    figures.push({
      what: `${c.name} (${plan.mode})`,
      oursMs: median(engineTimes),
      peer: 'plain ffmpeg',
      peerMs: median(plainTimes),
      note: `engine probes the input itself: of which ffprobe ${formatMs(median(probeTimes))}, fsync ${formatMs(median(syncTimes))}`,
    });
    if (givenTimes.length > 0) {
      figures.push({
        what: `${c.name} (${plan.mode}), the caller's probe handed in`,
        oursMs: median(givenTimes),
        peer: 'plain ffmpeg',
        peerMs: median(plainTimes),
        note: `no probe in the engine: fsync ${formatMs(median(syncTimes))} and a rename`,
      });
    }
  }
  if (!only || 'cli'.startsWith(only)) figures.push(...(await cliRemuxFigures(ctx)));
  return {
    id: 'local-engine',
    title: 'Local engine vs plain ffmpeg',
    intro:
      `Median of ${ctx.runs} runs each, alternating, same inputs and the same ffmpeg arguments (\`buildFfmpegArgs\`, with the room for a stream copy's index the engine keeps). ` +
      'The engine adds an ffprobe of the input (unless its caller hands it the probe it made, as the daemon ' +
      "and `convert` do), an fsync and a rename. The last row is the issue's own case, " +
      'end to end: a fresh `video-inbox convert --engine local` process (start-up, probes, ffmpeg, fsync, ' +
      'the verification of the output, placing it) against ffmpeg remuxing the same file as a person would ' +
      '(`+faststart`, which moves the index to the front in a second pass) plus an fsync.',
    figures,
    command: `npm run bench -- --only local-engine${ctx.args.includes('--node') ? ' --node <path to another node>' : ''}`,
    machine,
  };
}

export const benchmark: Benchmark = { id: 'local-engine', run };

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

function ffmpegVersion(): string {
  const first = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  return first.split(' Copyright')[0] ?? 'ffmpeg';
}
