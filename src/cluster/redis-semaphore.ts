import type { Redis } from 'ioredis';

/**
 * Takes a slot when fewer than `limit` unexpired holders are in the set. Redis's own clock decides
 * expiry, so nodes whose clocks differ agree on it.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;

export interface Semaphore {
  /** Runs `fn` holding one of the shared slots; waits (polling) while all are taken or Redis is away. */
  use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export interface SemaphoreOptions {
  key: string;
  /** Slots across every node, read at each attempt (a config reload may change it). */
  limit(): number;
  /** A holder that stops renewing (killed, cut off) loses its slot after this. */
  leaseMs: number;
  /** Names this process's holders (node and pid): unique across the cluster. */
  holder: string;
  pollMs?: number;
}

/**
 * A counting semaphore shared by all nodes: a Redis sorted set of holders scored by lease expiry.
 * A holder renews its lease while it runs and removes itself when done; a dead holder's slot frees
 * itself when its lease runs out. Used for limits that are per account, not per machine (uploads).
 */
export function redisSemaphore(redis: Redis, opts: SemaphoreOptions): Semaphore {
  let seq = 0;
  const pollMs = opts.pollMs ?? 250;
  return {
    async use(fn, signal) {
      const holder = `${opts.holder}:${++seq}`;
      for (;;) {
        signal?.throwIfAborted();
        const got = await redis.eval(ACQUIRE, 1, opts.key, opts.limit(), opts.leaseMs, holder).catch(() => 0);
        if (got === 1) break;
        await sleep(pollMs, signal);
      }
      const renew = setInterval(
        () => {
          void redis.eval(RENEW, 1, opts.key, opts.leaseMs, holder).catch(() => undefined);
        },
        Math.max(100, Math.floor(opts.leaseMs / 3)),
      );
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await redis.zrem(opts.key, holder).catch(() => undefined);
      }
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
