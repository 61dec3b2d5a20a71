/**
 * The issue's own case, end to end as a user runs it: `video-inbox convert --engine local` (the
 * built CLI, a fresh node process) of a 60 s 1080p H.264/AAC MOV of about 117 MB, against
 * `ffmpeg -c copy -movflags +faststart` followed by an fsync of its output, alternately.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fsyncFile } from '../src/core/fsync.js';
import { probeMedia } from '../src/engines/local/probe.js';
import { distIsFreshIn } from '../test/helpers/dist-fresh.js';
import { makeVideo, QUIET_FFMPEG } from '../test/helpers/media.js';
import { benchNodes, formatMs, median, type BenchContext, type BenchNode, type Figure } from './report.js';

const BIN = resolve('dist/src/cli/bin.js');

/**
 * Kept between runs (outside the runner's scratch folder, which is removed): encoding 60 s of 1080p
 * noise takes about half a minute on two cores. The name holds the recipe, so a changed recipe
 * makes a new file.
 */
const CACHE = join(tmpdir(), 'video-inbox-bench-cache');
const BIG_MOV = 'remux-1080p-60s-15M-v1.mov';

/** The figure on this process's node, then on each one given with `--node` (see benchNodes). */
export async function cliRemuxFigures(ctx: BenchContext): Promise<Figure[]> {
  if (!distIsFreshIn(resolve('.'))) throw new Error('dist/ is older than src/: run `npm run build` first');
  const input = await bigMov(ctx);
  const figures: Figure[] = [];
  for (const [i, node] of benchNodes(ctx.args).entries()) {
    figures.push(await cliRemuxFigure(ctx, input, node, i > 0));
  }
  return figures;
}

async function cliRemuxFigure(
  ctx: BenchContext,
  input: string,
  node: BenchNode,
  named: boolean,
): Promise<Figure> {
  const sizeMb = (await stat(input)).size / 1e6;
  const outDir = join(ctx.work, 'cli-out');
  await mkdir(outDir, { recursive: true });
  const ours: number[] = [];
  const peer: number[] = [];
  const startup: number[] = [];
  const probes: number[] = [];
  const syncs: number[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    const order = i % 2 === 0 ? (['cli', 'ffmpeg'] as const) : (['ffmpeg', 'cli'] as const);
    for (const side of order) {
      await rm(outDir, { recursive: true, force: true });
      await mkdir(outDir);
      if (side === 'cli') {
        ours.push(
          await timed(() => spawnOk(node.bin, [BIN, 'convert', '--engine', 'local', '-o', outDir, input])),
        );
      } else {
        const out = join(outDir, 'plain.mp4');
        peer.push(
          await timed(async () => {
            await spawnOk('ffmpeg', [
              ...QUIET_FFMPEG,
              '-i',
              input,
              '-c',
              'copy',
              '-movflags',
              '+faststart',
              out,
            ]);
            await fsyncFile(out);
          }),
        );
        // The fixed costs, timed apart: node plus convert's modules, one ffprobe, the fsync (warm).
        startup.push(await timed(() => spawnOk(node.bin, [BIN, 'convert', '--help'])));
        probes.push(await timed(() => probeMedia(input)));
        syncs.push(await timed(() => fsyncFile(out)));
      }
    }
    ctx.log(`cli remux on Node ${node.version}: run ${i + 1}/${ctx.runs} done`);
  }
  await rm(outDir, { recursive: true, force: true });
  return {
    what: `\`video-inbox convert --engine local\` (built CLI, end to end): H.264/AAC MOV, 1920x1080, 60 s, ${sizeMb.toFixed(0)} MB (remux)${named ? `, on Node ${node.version}` : ''}`,
    oursMs: median(ours),
    peer: '`ffmpeg -c copy -movflags +faststart` + fsync',
    peerMs: median(peer),
    goal: { maxRatio: 1.3 },
    note: `node + convert's modules ${formatMs(median(startup))} (\`convert --help\`), one ffprobe ${formatMs(median(probes))}`,
  };
}

async function bigMov(ctx: BenchContext): Promise<string> {
  const path = join(CACHE, BIG_MOV);
  if (existsSync(path)) return path;
  await mkdir(CACHE, { recursive: true });
  ctx.log(`Generating ${BIG_MOV} (once; kept in ${CACHE})…`);
  const temp = `${path}.part.mov`;
  await makeVideo(temp, {
    width: 1920,
    height: 1080,
    durationSec: 60,
    fps: 30,
    // testsrc plus moving noise at a fixed 15.3 Mbit/s: the size of a phone's 1080p minute (~117 MB).
    extra: [
      '-vf',
      'noise=alls=12:allf=t',
      '-b:v',
      '15300k',
      '-maxrate',
      '15300k',
      '-bufsize',
      '30M',
      '-b:a',
      '128k',
    ],
  });
  await rename(temp, path);
  return path;
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return performance.now() - started;
}

function spawnOk(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', rej);
    child.once('close', (code) =>
      code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr}`)),
    );
  });
}
