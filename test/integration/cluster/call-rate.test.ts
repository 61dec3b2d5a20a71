import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisCallRate } from '../../../src/cluster/redis-call-rate.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { distIsFresh, killChildren, listFiles, sigterm, waitFor } from '../daemon/harness.js';
import { makeMixedSet } from '../daemon/media-set.js';
import { makeClusterWorld, type ClusterWorld } from './cluster-world.js';

let redis: RedisServer | undefined;
let world: ClusterWorld | undefined;
let mediaDir: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-call-rate-'));
});

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

afterEach(async () => {
  await killChildren();
  await world?.close();
  await redis?.close();
  world = redis = undefined;
});

/** The most calls seen in any `windowMs` (times sorted). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

// The times are taken where the call arrives, a little after Redis granted it: a margin for that.
const MARGIN_MS = 300;

/**
 * Issue 13, point 4: the account's rate of API calls is shared by every node
 * (`cluster.apiCallsPerMinute`), a sliding window in the shared Redis.
 */
describe('the cluster-wide rate of API calls', () => {
  it('two nodes taking calls at once never go over the limit in any window, and every call goes', async () => {
    redis = await startRedisServer();
    const times: number[] = [];
    const nodes = [0, 1].map((i) =>
      redisCallRate(redis!.client(), { key: 'test:calls', limit: () => 5, windowMs: 1500, holder: `n${i}` }),
    );
    await Promise.all(
      nodes.flatMap((n) => Array.from({ length: 8 }, () => n.take().then(() => times.push(Date.now())))),
    );
    expect(times).toHaveLength(16);
    expect(busiestWindow(times, 1500 - MARGIN_MS)).toBeLessThanOrEqual(5);
    // Bounded, not serialised: 16 calls at 5 per 1.5 s need three windows, not sixteen.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(3000 - MARGIN_MS);
  });

  it.skipIf(!distIsFresh())(
    'two daemons converting together: the emulator never sees more calls in a minute than the limit',
    async () => {
      const clips = await makeMixedSet(mediaDir, 3);
      const limit = 12;
      world = await makeClusterWorld({ nodes: 2, concurrency: 2 });
      const { sb } = world;
      for (const i of [0, 1]) {
        const text = await readFile(world.nodeConfig(i), 'utf8');
        await writeFile(world.nodeConfig(i), `${text}  apiCallsPerMinute: ${limit}\n`);
      }
      const nodes = [0, 1].map((i) => world!.spawnNode(i));
      await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
      await Promise.all(clips.map((c) => copyFile(c, join(sb.inbox, basename(c)))));
      await waitFor(
        async () => (await listFiles(sb.outbox)).length >= clips.length,
        300_000,
        'every output placed',
      );
      const times = sb.emu.requests.map((r) => r.at);
      // More calls than one minute allows: the limit was met, and held.
      expect(times.length).toBeGreaterThan(limit);
      expect(busiestWindow(times, 60_000 - MARGIN_MS)).toBeLessThanOrEqual(limit);
      for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
    },
    400_000,
  );
});
