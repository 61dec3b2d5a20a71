import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { EmulatorOptions } from '../../emulator/index.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { makeSandbox, parseLine, spawnDaemon, type Child, type Sandbox } from '../daemon/harness.js';
import { useMixedClips } from '../daemon/media-set.js';

export const CLUSTER_TOKEN = 'cluster-account-token-1';
export const REDIS_PASSWORD = 'redis-pass-5f1c9a7e';

/**
 * Several `video-inbox start` processes (the built CLI) on one shared inbox and outbox, each with its
 * own state dir and config naming the same Redis: a cluster on one machine. They share one account
 * (NEMO_TOKEN), as nodes of one studio do, so a node that takes a job over may poll its render.
 */
export interface ClusterWorld {
  sb: Sandbox;
  redis: RedisServer;
  nodeConfig(i: number): string;
  spawnNode(i: number): Child;
  close(): Promise<void>;
}

export interface ClusterWorldOptions {
  nodes: number;
  emulator?: EmulatorOptions;
  concurrency?: number;
  lockSeconds?: number;
  creditsCheckSeconds?: number;
  /** Extra top-level config lines for node i (e.g. an ffmpegPath that does not exist). */
  nodeLines?: (i: number) => string[];
}

export async function makeClusterWorld(opts: ClusterWorldOptions): Promise<ClusterWorld> {
  const redis = await startRedisServer({ password: REDIS_PASSWORD });
  const sb = await makeSandbox({
    emulator: { registeredTokens: [CLUSTER_TOKEN], credits: 100_000, ...opts.emulator },
  });
  sb.onClose(() => redis.close());
  sb.env.NEMO_TOKEN = CLUSTER_TOKEN;
  sb.env.VI_REDIS_PASSWORD = REDIS_PASSWORD;
  const nodeConfig = (i: number) => join(sb.dir, `node-${i}.yaml`);
  for (let i = 0; i < opts.nodes; i++) {
    const lines = [
      'api:',
      '  pollSeconds: 0.2',
      `  creditsCheckSeconds: ${opts.creditsCheckSeconds ?? 300}`,
      ...(opts.nodeLines?.(i) ?? []),
      `stateDir: ${join(sb.dir, `state-${i}`)}`,
      `concurrency: ${opts.concurrency ?? 3}`,
      'notify: none',
      'settleSeconds: 0.3',
      'rescanSeconds: 2',
      // A free port per node (each writes its address to <stateDir>/http.json): nodes run side by side.
      'http:',
      '  port: 0',
      'folders:',
      '  - name: main',
      '    inbox: inbox/main',
      '    outbox: outbox',
      '    rules: rules/main.yaml',
      'cluster:',
      `  redis: ${redis.url}`,
      `  node: node-${i}`,
      '  passwordEnv: VI_REDIS_PASSWORD',
      `  lockSeconds: ${opts.lockSeconds ?? 5}`,
    ];
    await writeFile(nodeConfig(i), `${lines.join('\n')}\n`);
  }
  await mkdir(join(sb.dir, 'home'), { recursive: true });
  return {
    sb,
    redis,
    nodeConfig,
    spawnNode: (i) => spawnDaemon({ ...sb, configPath: nodeConfig(i) }),
    close: () => sb.close(),
  };
}

/** The output name of a clip. */
export const mp4Name = (clip: string): string => `${basename(clip, extname(clip))}.mp4`;

/** Log entries of a node whose message contains `text`. */
export function entries(child: Child, text: string): Record<string, unknown>[] {
  return child.lines
    .map(parseLine)
    .filter((e): e is Record<string, unknown> => e !== undefined && String(e.msg ?? '').includes(text));
}

/** The suite's mixed set of `count` distinct clips (made once for the file); each test's sandbox and daemons are cleaned up after it. */
export function useClusterClips(prefix: string, count: number): string[] {
  return useMixedClips(prefix, count).files;
}
