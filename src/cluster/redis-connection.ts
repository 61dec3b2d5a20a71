import type { RedisOptions } from 'bullmq';
import type { ClusterConfig } from '../config/cluster-config.js';
import { redisReconnectDelayMs } from './redis-retry.js';

/**
 * ioredis options for a cluster node, from `cluster:`. The password comes from the config's resolved
 * `password` (an env var), never from a log line. `blocking` connections (BullMQ workers) retry
 * commands forever, as BullMQ requires; the others fail fast so intake can keep the file and retry.
 *
 * Pure: the composition root (`src/app/cluster-backend.ts`) builds the connections from these.
 */
export function redisOptions(cfg: ClusterConfig, kind: 'worker' | 'client'): RedisOptions {
  const url = new URL(cfg.redis);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: cfg.password ?? (url.password ? decodeURIComponent(url.password) : undefined),
    tls: url.protocol === 'rediss:' ? { servername: url.hostname } : undefined,
    connectionName: `video-inbox:${cfg.node}`,
    maxRetriesPerRequest: kind === 'worker' ? null : 1,
    enableOfflineQueue: kind === 'worker',
    retryStrategy: (times) => redisReconnectDelayMs(times),
    // A node must not take minutes to notice a Redis that went away.
    connectTimeout: 5000,
  };
}

/** The Redis URL as it may be shown: without user or password. */
export function displayRedisUrl(redis: string): string {
  if (!URL.canParse(redis)) return 'redis://?';
  const url = new URL(redis);
  url.username = '';
  url.password = '';
  return url.toString();
}
