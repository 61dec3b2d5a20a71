/**
 * Cluster mode's throughput and cost: the same batch of distinct videos through 1, 2 and 3 nodes (the
 * built CLI, one Redis, the API emulator with fixed latencies), the most cloud jobs active at once
 * (N nodes should keep N × `concurrency` jobs at the API), and the time per job of a one-node
 * cluster over the single-host journal. Run with
 * `npm run build && npm run bench:cluster` (add `-- --files 24` for another batch size), or only the
 * overhead per job with `npm run bench:cluster -- --overhead` (a few minutes).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { CLOUD_QUEUE, QUEUE_PREFIX } from '../src/cluster/backend.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listFiles, makeSandbox, waitFor } from '../test/integration/daemon/harness.js';
import { makeMixedSet } from '../test/integration/daemon/media-set.js';
import {
  makeClusterWorld,
  REDIS_PASSWORD,
  type ClusterWorld,
} from '../test/integration/cluster/cluster-world.js';
import type { EmulatorOptions } from '../test/emulator/index.js';

const CONCURRENCY = 2;
/** Fixed API latencies: each instruction streams for 4 s; a render completes after 10 polls of 0.2 s. */
const EMULATOR = { instructionMs: 4000, renderPolls: 10, heartbeatMs: 200 };

/** The built CLI (this file runs from dist/bench/). */
const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));

interface Node {
  proc: ChildProcess;
  ready: Promise<void>;
}

function startNode(configPath: string, env: Record<string, string>): Node {
  const proc = spawn(process.execPath, [BIN, 'start', '--config', configPath], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Watching inboxes')) resolve();
      if (out.length > 1_000_000) out = out.slice(-10_000);
    });
    proc.once('exit', (code) => reject(new Error(`node exited with ${code}: ${out.slice(-2000)}`)));
  });
  return { proc, ready };
}

async function stopNode(node: Node): Promise<void> {
  if (node.proc.exitCode !== null || node.proc.signalCode !== null) return;
  const exited = new Promise((r) => node.proc.once('exit', r));
  node.proc.kill('SIGTERM');
  await exited;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Run {
  label: string;
  seconds: number;
  jobsPerMinute: number;
  maxActive?: number;
  /** Commands Redis processed from the first file dropped to the last one archived. */
  redisCommands?: number;
}

async function commandsProcessed(redis: ReturnType<ClusterWorld['redis']['client']>): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Short fixed latencies, one job at a time: the API's share of a job is small, so Redis's shows. */
const OVERHEAD_EMULATOR: EmulatorOptions = { instructionMs: 300, renderPolls: 2, heartbeatMs: 100 };

/**
 * The time per job a one-node cluster adds over the single-host journal: the same distinct videos,
 * `concurrency: 1`, the same emulator, run alternately (single, cluster, single, cluster…) so the
 * machine's load drifts over both alike. Per job = wall time / jobs.
 */
async function overhead(clips: string[], rounds: number): Promise<void> {
  const singles: number[] = [];
  const clusters: Run[] = [];
  for (let r = 0; r < rounds; r++) {
    singles.push((await single(clips, 1, OVERHEAD_EMULATOR)).seconds);
    clusters.push(await cluster(clips, 1, 1, OVERHEAD_EMULATOR, false));
  }
  const perJob = (s: number) => (s * 1000) / clips.length;
  console.log(
    `\nOverhead per job: ${clips.length} distinct videos one at a time, emulator ${JSON.stringify(OVERHEAD_EMULATOR)}, pollSeconds 0.2\n`,
  );
  console.log(
    '| Round | Single host: ms per job | 1-node cluster: ms per job | Cluster − single | Redis commands per job |',
  );
  console.log('|---|---|---|---|---|');
  for (let r = 0; r < rounds; r++) {
    const a = perJob(singles[r]!);
    const b = perJob(clusters[r]!.seconds);
    const cmds = (clusters[r]!.redisCommands ?? 0) / clips.length;
    console.log(
      `| ${r + 1} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b - a).toFixed(0)} ms | ${cmds.toFixed(0)} |`,
    );
  }
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const diff = perJob(mean(clusters.map((c) => c.seconds))) - perJob(mean(singles));
  console.log(`\nMean overhead of cluster mode: ${diff.toFixed(0)} ms per job.`);
}

async function single(
  clips: string[],
  concurrency = CONCURRENCY,
  emulator: EmulatorOptions = EMULATOR,
): Promise<Run> {
  const sb = await makeSandbox({ config: { concurrency }, emulator });
  try {
    const child = startNode(sb.configPath, sb.env);
    await child.ready;
    const t0 = performance.now();
    await Promise.all(clips.map((c) => copyFile(c, join(sb.inbox, basename(c)))));
    await waitFor(
      async () => (await listFiles(join(sb.inbox, '_done'))).length >= clips.length,
      600_000,
      'all done',
    );
    const seconds = (performance.now() - t0) / 1000;
    await stopNode(child);
    return { label: 'single host (journal)', seconds, jobsPerMinute: (clips.length / seconds) * 60 };
  } finally {
    await sb.close();
  }
}

async function cluster(
  clips: string[],
  nodes: number,
  concurrency = CONCURRENCY,
  emulator: EmulatorOptions = EMULATOR,
  /** Sample the active jobs every 100 ms (off when counting Redis commands per job). */
  sample = true,
): Promise<Run> {
  const world = await makeClusterWorld({ nodes, concurrency, emulator });
  const queue = new Queue(CLOUD_QUEUE, {
    connection: { host: '127.0.0.1', port: world.redis.port, password: REDIS_PASSWORD },
    prefix: QUEUE_PREFIX,
  });
  const redis = world.redis.client();
  let maxActive = 0;
  let sampling = sample;
  const sampler = (async () => {
    while (sampling) {
      maxActive = Math.max(maxActive, await queue.getActiveCount().catch(() => 0));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const children = Array.from({ length: nodes }, (_, i) => startNode(world.nodeConfig(i), world.sb.env));
    await Promise.all(children.map((c) => c.ready));
    const commands0 = await commandsProcessed(redis);
    const t0 = performance.now();
    await Promise.all(clips.map((c) => copyFile(c, join(world.sb.inbox, basename(c)))));
    await waitFor(
      async () => (await listFiles(join(world.sb.inbox, '_done'))).length >= clips.length,
      600_000,
      'all done',
    );
    const seconds = (performance.now() - t0) / 1000;
    // Every node's commands (heartbeats and idle fetches too), plus the two INFO calls.
    const commands = (await commandsProcessed(redis)) - commands0;
    await Promise.all(children.map(stopNode));
    return {
      label: `cluster, ${nodes} node${nodes > 1 ? 's' : ''}`,
      seconds,
      jobsPerMinute: (clips.length / seconds) * 60,
      maxActive,
      redisCommands: commands,
    };
  } finally {
    sampling = false;
    await sampler;
    await queue.close();
    await world.close();
  }
}

function machine(load: string): string {
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${load} at the start.`;
}

const loadNow = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

async function main(): Promise<void> {
  const count = arg('files', 18);
  const media = await mkdtemp(join(tmpdir(), 'vi-bench-cluster-'));
  try {
    if (process.argv.includes('--overhead')) {
      const clips = await makeMixedSet(media, arg('files', 12));
      const load = loadNow();
      await overhead(clips, arg('rounds', 2));
      console.log(machine(load));
      console.log(`Load average ${loadNow()} at the end.`);
      console.log('Rerun: `npm run build && npm run bench:cluster -- --overhead`');
      return;
    }
    const clips = await makeMixedSet(media, count);
    const load = loadNow();
    const runs: Run[] = [await single(clips)];
    for (const n of [1, 2, 3]) runs.push(await cluster(clips, n));
    console.log(
      `\n${count} distinct videos, concurrency ${CONCURRENCY} per node, emulator ${JSON.stringify(EMULATOR)}, pollSeconds 0.2\n`,
    );
    console.log(
      '| Setup | Wall time | Jobs per minute | Most cloud jobs active at once | Slots (nodes × concurrency) |',
    );
    console.log('|---|---|---|---|---|');
    for (const r of runs) {
      const nodes = r.label.startsWith('cluster') ? Number(/(\d) node/.exec(r.label)?.[1]) : 1;
      console.log(
        `| ${r.label} | ${r.seconds.toFixed(1)} s | ${r.jobsPerMinute.toFixed(1)} | ${r.maxActive ?? 'n/a'} | ${nodes * CONCURRENCY} |`,
      );
    }
    const base = runs[0]!;
    const one = runs[1]!;
    const perJobMs = ((one.seconds - base.seconds) * 1000 * CONCURRENCY) / count;
    console.log(
      `\nCluster overhead per job (1 node vs single host, same slots): ${perJobMs.toFixed(0)} ms of slot time per job.`,
    );
    console.log(machine(load));
    console.log('Rerun: `npm run build && npm run bench:cluster`');
  } finally {
    await rm(media, { recursive: true, force: true });
  }
}

await main();
