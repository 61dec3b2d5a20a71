import { Queue, Worker } from 'bullmq';
import { Redis, type RedisOptions as IORedisOptions } from 'ioredis';
import { QUEUE_PREFIX, type ClusterBackend } from '../cluster/backend.js';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { ClusterJobData } from '../cluster/job-data-store.js';
import { readClusterStatus, type ClusterStatus } from '../cluster/cluster-status.js';
import { displayRedisUrl, redisOptions } from '../cluster/redis-connection.js';

/** A Redis client for `cluster:`; `client` connections fail fast, `worker` ones wait (BullMQ). */
export function createRedis(cfg: ClusterConfig, kind: 'worker' | 'client'): Redis {
  return new Redis(redisOptions(cfg, kind) as IORedisOptions);
}

/** The real cluster backend: ioredis and BullMQ against the configured Redis. */
export function clusterBackend(cfg: ClusterConfig): ClusterBackend {
  const redis = createRedis(cfg, 'client');
  const connection = redisOptions(cfg, 'worker');
  const queues = new Map<string, Queue<ClusterJobData>>();
  const queueOpts = {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: {
      // Only what escapes a run (Redis gone mid-job) counts; job-level retries are delays.
      attempts: 10_000,
      backoff: { type: 'fixed' as const, delay: 5000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  };
  return {
    redis,
    pid: process.pid,
    queue(name) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue<ClusterJobData>(name, queueOpts);
        q.on('error', () => undefined);
        queues.set(name, q);
      }
      return q;
    },
    worker: (name, processor, opts) =>
      new Worker(name, processor, {
        connection,
        prefix: QUEUE_PREFIX,
        concurrency: Math.max(1, opts.concurrency),
        lockDuration: opts.lockMs,
        stalledInterval: opts.lockMs,
        // A job handed over after a node died is not a poisoned job; Redis outages stall many at once.
        maxStalledCount: 1000,
      }),
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
    },
  };
}

/**
 * The cluster's jobs and live nodes for `status`, or why they could not be read: Redis is given a
 * few seconds to answer, and a status that cannot reach it still shows this node's journal.
 */
export async function clusterStatusOf(
  cfg: ClusterConfig,
  timeoutMs = 5000,
): Promise<{ ok: true; status: ClusterStatus } | { ok: false; message: string }> {
  const backend = clusterBackend(cfg);
  backend.redis.on('error', () => undefined);
  try {
    await readyWithin(backend.redis, timeoutMs);
    return { ok: true, status: await readClusterStatus(backend) };
  } catch (err) {
    return {
      ok: false,
      message: `Redis at ${displayRedisUrl(cfg.redis)} did not answer: ${(err as Error).message}`,
    };
  } finally {
    await backend.close();
  }
}

async function readyWithin(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
