import { Redis, type RedisOptions as IORedisOptions } from 'ioredis';
import { VideoInboxError } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { forgetDone } from '../cluster/done-set.js';
import { displayRedisUrl, redisOptions } from '../cluster/redis-connection.js';
import type { ClusterConfig } from '../config/cluster-config.js';

/**
 * `video-inbox retry` in cluster mode: one short connection that makes the cluster forget a content
 * was converted, so any node converts it again. Redis not answering is an error (the caller then
 * leaves the file where it is), with what to do.
 */
export async function forgetClusterContent(
  cfg: ClusterConfig,
  contentHash: string,
  timeoutMs = 5000,
): Promise<void> {
  const redis = new Redis({
    ...(redisOptions(cfg, 'client') as IORedisOptions),
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    lazyConnect: true,
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError ??= err;
  });
  try {
    await redis.connect();
    await forgetDone(redis, contentHash);
  } catch (err) {
    const message = redact((lastError ?? (err as Error)).message);
    throw new VideoInboxError(
      'NETWORK',
      `Redis at ${displayRedisUrl(cfg.redis)} did not answer: ${message}`,
      {
        hint: 'The file was left where it is. Run the retry again once Redis answers (`video-inbox validate` checks it).',
        cause: err,
      },
    );
  } finally {
    redis.disconnect();
  }
}
