import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSemaphore } from '../../../src/cluster/redis-semaphore.js';
import { sharedStageLimiter } from '../../../src/cluster/shared-stages.js';
import { createStageLimiter } from '../../../src/engines/stage-limits.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { sleep, waitFor } from '../../helpers/wait.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis.close();
});

/** Counts how many tasks run at once, across every "node". */
function overlap() {
  let running = 0;
  let max = 0;
  return {
    task: async () => {
      running++;
      max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, 60));
      running--;
    },
    get max() {
      return max;
    },
  };
}

/**
 * Issue 13, point 4: uploads are bounded per account, across every node (`cluster.maxUploads`), by
 * a semaphore in the shared Redis. Each "node" here has its own Redis connection and its own
 * per-node stage limits, as separate daemons do.
 */
describe('cluster-wide upload slots on a real Redis', () => {
  it('three nodes with three upload slots each never upload more than the cluster-wide limit at once', async () => {
    for (const limit of [1, 2]) {
      const key = `test:uploads:${limit}`;
      const count = overlap();
      const nodes = [0, 1, 2].map((i) =>
        sharedStageLimiter(createStageLimiter({ upload: 3 }), {
          upload: redisSemaphore(redis.client(), {
            key,
            limit: () => limit,
            leaseMs: 5000,
            holder: `node-${i}`,
            pollMs: 20,
          }),
        }),
      );
      await Promise.all(nodes.flatMap((n) => [0, 1, 2].map(() => n.run('upload', count.task))));
      expect(count.max).toBe(limit);
      // Every slot was given back.
      expect(await redis.client().zcard(key)).toBe(0);
    }
  });

  it('a slot held by a node that died frees itself when its lease runs out, not before', async () => {
    const key = 'test:uploads:dead';
    const client = redis.client();
    // A holder whose node was killed: its lease (Redis time) runs for a while yet, and nobody renews it.
    const [secs, micros] = await client.time();
    const now = Number(secs) * 1000 + Math.floor(Number(micros) / 1000);
    // Long enough that a loaded machine still looks before it runs out.
    await client.zadd(key, now + 4000, 'dead-node:1');
    const sem = redisSemaphore(redis.client(), {
      key,
      limit: () => 1,
      leaseMs: 5000,
      holder: 'live-node',
      pollMs: 50,
    });
    let started = false;
    const run = sem.use(async () => {
      started = true;
    });
    await sleep(400);
    expect(started).toBe(false);
    await run;
    expect(started).toBe(true);
    expect(await client.zrange(key, '0', '-1')).toEqual([]);
  });

  it('a waiting step stops when its job is stopped', async () => {
    const key = 'test:uploads:stop';
    const hold = redisSemaphore(redis.client(), { key, limit: () => 1, leaseMs: 5000, holder: 'a' });
    const wait = redisSemaphore(redis.client(), {
      key,
      limit: () => 1,
      leaseMs: 5000,
      holder: 'b',
      pollMs: 20,
    });
    let release!: () => void;
    const holding = hold.use(() => new Promise<void>((r) => (release = r)));
    const probe = redis.client();
    await waitFor(async () => (await probe.zcard(key)) === 1, 20_000, 'the first holder in its slot');
    const stop = new AbortController();
    let ran = false;
    const waiting = wait.use(async () => {
      ran = true;
    }, stop.signal);
    stop.abort();
    await expect(waiting).rejects.toThrow();
    release();
    await holding;
    expect(ran).toBe(false);
    expect(await redis.client().zcard(key)).toBe(0);
  });
});
