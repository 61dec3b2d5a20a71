/**
 * CLI start-up: `video-inbox --version` (and a few other quick commands) against bare `node -e 0`,
 * run alternately so both sides see the same machine load. Each command loads only its own modules
 * (src/cli/commands.ts), so `--version` should cost no more than node itself plus commander.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  machineLine,
  median,
  type BenchContext,
  type Benchmark,
  type Figure,
  type Section,
} from './report.js';

const BIN = resolve('dist/src/cli/bin.js');

interface Case {
  what: string;
  args: string[];
  goal?: Figure['goal'];
}

function timeOnce(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return ms;
}

async function run(ctx: BenchContext): Promise<Section> {
  const machine = machineLine();
  // `status` and `validate` need a config: a small one, with an empty state dir.
  const config = join(ctx.work, 'config.yaml');
  await mkdir(join(ctx.work, 'inbox'), { recursive: true });
  await mkdir(join(ctx.work, 'outbox'), { recursive: true });
  await copyFile(resolve('rules/mov-to-mp4.yaml'), join(ctx.work, 'rule.yaml'));
  await writeFile(
    config,
    [
      `stateDir: ${join(ctx.work, 'state')}`,
      'notify: none',
      'folders:',
      '  - name: main',
      '    inbox: inbox',
      '    outbox: outbox',
      '    rules: rule.yaml',
      '',
    ].join('\n'),
  );
  const cases: Case[] = [
    { what: '`video-inbox --version`', args: ['--version'], goal: { maxOverMs: 150 } },
    { what: '`video-inbox status` (empty journal)', args: ['status', '--config', config] },
    { what: '`video-inbox validate`', args: ['validate', '--config', config] },
    { what: '`video-inbox --help` (loads every command)', args: ['--help'] },
  ];
  // Start-up is short and noisy: many more repetitions than the slow benchmarks.
  const runs = Math.max(20, ctx.runs * 4);
  const bare: number[] = [];
  const ours = cases.map(() => [] as number[]);
  timeOnce(['-e', '0']); // warm the file cache for node itself
  for (const c of cases) timeOnce([BIN, ...c.args]);
  for (let i = 0; i < runs; i++) {
    // Alternate the order so neither side always runs right after the other.
    if (i % 2 === 0) bare.push(timeOnce(['-e', '0']));
    cases.forEach((c, k) => ours[k]!.push(timeOnce([BIN, ...c.args])));
    if (i % 2 === 1) bare.push(timeOnce(['-e', '0']));
  }
  ctx.log(`cli-startup: ${runs} runs done`);
  const peerMs = median(bare);
  return {
    id: 'cli-startup',
    title: 'CLI start-up',
    intro:
      `Median wall time of ${runs} runs each, from spawning \`node\` to its exit, alternating with bare ` +
      '`node -e 0` (the floor any Node program pays). The goal: `--version` within node + 150 ms.',
    figures: cases.map((c, k) => ({
      what: c.what,
      oursMs: median(ours[k]!),
      peer: '`node -e 0`',
      peerMs,
      goal: c.goal,
    })),
    details: [
      'A command imports only its own modules; `--help` imports all of them to list them, which shows ' +
        'what every command would cost if they were loaded eagerly. `status` and `validate` load the ' +
        'config schema (zod) and YAML parser they need.',
    ],
    command: 'npm run bench -- --only cli-startup',
    machine,
  };
}

export const benchmark: Benchmark = { id: 'cli-startup', run };
