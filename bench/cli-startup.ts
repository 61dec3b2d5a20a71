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
  alsoNodes,
  benchNodes,
  machineLine,
  median,
  type BenchNode,
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
  env?: NodeJS.ProcessEnv;
}

function timeOnce(node: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(node, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${node} ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return ms;
}

async function run(ctx: BenchContext): Promise<Section> {
  const nodes = benchNodes(ctx.args);
  const machine = machineLine(alsoNodes(nodes));
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
  const figures: Figure[] = [];
  for (const [i, node] of nodes.entries()) figures.push(...(await onNode(ctx, node, config, i > 0)));
  return {
    id: 'cli-startup',
    title: 'CLI start-up',
    intro:
      `Median wall time of ${runsOf(ctx)} runs each, from spawning \`node\` to its exit, alternating with bare ` +
      '`node -e 0` of the same Node (the floor any Node program pays). The goal: `--version` within node + 150 ms.',
    figures,
    details: [
      'A command imports only its own modules; `--help` imports all of them to list them, which shows ' +
        'what every command would cost if they were loaded eagerly. `status` and `validate` load the ' +
        'config schema (zod) and YAML parser they need.',
      "On Node 22 and later the CLI keeps the compiled code of its modules in the user's cache folder " +
        '(`module.enableCompileCache`), so every run after the first starts from it; the row "compiled ' +
        'code not kept" is the same command with `NODE_DISABLE_COMPILE_CACHE=1`. Node 20 has no such cache.',
    ],
    command: `npm run bench -- --only cli-startup${nodes.length > 1 ? ' --node <path to another node>' : ''}`,
    machine,
  };
}

/** Start-up is short and noisy: many more repetitions than the slow benchmarks. */
const runsOf = (ctx: BenchContext) => Math.max(20, ctx.runs * 4);

/** The cases on one Node, against that Node's own `node -e 0`. */
async function onNode(ctx: BenchContext, node: BenchNode, config: string, named: boolean): Promise<Figure[]> {
  const on = named ? ` on Node ${node.version}` : '';
  const noCache = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
  const cases: Case[] = [
    { what: `\`video-inbox --version\`${on}`, args: ['--version'], goal: { maxOverMs: 150 } },
    { what: `\`video-inbox status\` (empty journal)${on}`, args: ['status', '--config', config] },
    ...(node.compileCache
      ? [
          {
            what: `\`video-inbox status\`${on}, compiled code not kept`,
            args: ['status', '--config', config],
            env: noCache,
          },
        ]
      : []),
    { what: `\`video-inbox validate\`${on}`, args: ['validate', '--config', config] },
    { what: `\`video-inbox --help\` (loads every command)${on}`, args: ['--help'] },
  ];
  const runs = runsOf(ctx);
  const bare: number[] = [];
  const ours = cases.map(() => [] as number[]);
  timeOnce(node.bin, ['-e', '0']); // warm the file cache for node itself (and the compiled-code cache)
  for (const c of cases) timeOnce(node.bin, [BIN, ...c.args], c.env);
  for (let i = 0; i < runs; i++) {
    // Alternate the order so neither side always runs right after the other.
    if (i % 2 === 0) bare.push(timeOnce(node.bin, ['-e', '0']));
    cases.forEach((c, k) => ours[k]!.push(timeOnce(node.bin, [BIN, ...c.args], c.env)));
    if (i % 2 === 1) bare.push(timeOnce(node.bin, ['-e', '0']));
  }
  ctx.log(`cli-startup: ${runs} runs on Node ${node.version} done`);
  const peerMs = median(bare);
  return cases.map((c, k) => ({
    what: c.what,
    oursMs: median(ours[k]!),
    peer: named ? `\`node -e 0\` (${node.version})` : '`node -e 0`',
    peerMs,
    goal: c.goal,
  }));
}

export const benchmark: Benchmark = { id: 'cli-startup', run };
