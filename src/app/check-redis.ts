import { Redis, type RedisOptions as IORedisOptions } from 'ioredis';
import { redact } from '../core/secrets.js';
import type { ClusterConfig } from '../config/cluster-config.js';
import { displayRedisUrl, redisOptions } from '../cluster/redis-connection.js';

export type RedisCheck =
  | { ok: true; version: string; evictionPolicy?: string; appendonly?: string }
  | { ok: false; message: string; hint: string };

/**
 * One connection attempt to the cluster's Redis, for `validate`: it answers PING with the configured
 * credentials, and says which of the settings BullMQ requires (docs/SCALING.md) it has.
 */
export async function checkRedis(cfg: ClusterConfig, timeoutMs = 5000): Promise<RedisCheck> {
  const client = new Redis({
    ...(redisOptions(cfg, 'client') as IORedisOptions),
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    lazyConnect: true,
  });
  // A refused AUTH arrives as an 'error' event; connect() then only says the connection closed.
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError ??= err;
  });
  const where = displayRedisUrl(cfg.redis);
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const policy = await configValue(client, 'maxmemory-policy');
    const appendonly = await configValue(client, 'appendonly');
    return { ok: true, version, evictionPolicy: policy, appendonly };
  } catch (err) {
    const message = redact((lastError ?? (err as Error)).message);
    const auth = /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(message);
    return {
      ok: false,
      message: `Redis at ${where} did not answer: ${message}`,
      hint: auth
        ? `Set the password in $${cfg.passwordEnv ?? 'the variable named by cluster.passwordEnv'} (or the --env-file).`
        : 'Check cluster.redis, that redis-server runs there and that this host may reach it.',
    };
  } finally {
    client.disconnect();
  }
}

/** CONFIG GET may be refused (managed Redis); then the setting is simply unknown. */
async function configValue(client: Redis, key: string): Promise<string | undefined> {
  try {
    const pair = (await client.config('GET', key)) as string[];
    return pair[1];
  } catch {
    return undefined;
  }
}
