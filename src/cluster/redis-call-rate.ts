import type { Redis } from 'ioredis';

/**
 * A sliding-window log of calls in a sorted set scored by Redis time: a call may go when fewer than
 * `limit` calls went in the last `window` ms; otherwise the script answers how long until the
 * oldest one leaves the window. Exact over every window (no burst at a fixed window's edge), and
 * Redis's clock decides, so nodes whose clocks differ agree.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)`;

export interface CallRate {
  /** Resolves when this call may go (waiting while the cluster used its calls, or Redis is away). */
  take(signal?: AbortSignal): Promise<void>;
}

export interface CallRateOptions {
  key: string;
  /** Calls per window across every node, read at each call (a config reload may change it). */
  limit(): number;
  windowMs: number;
  /** Names this process's calls (node and pid): unique across the cluster. */
  holder: string;
  /** The longest single wait before asking again; default 1 s. */
  maxWaitMs?: number;
}

/** The account's rate of API calls shared by every node (`cluster.apiCallsPerMinute`). */
export function redisCallRate(redis: Redis, opts: CallRateOptions): CallRate {
  let seq = 0;
  const maxWait = opts.maxWaitMs ?? 1000;
  return {
    async take(signal) {
      const member = `${opts.holder}:${++seq}`;
      for (;;) {
        signal?.throwIfAborted();
        const wait = Number(
          await redis.eval(TAKE, 1, opts.key, opts.limit(), opts.windowMs, member).catch(() => maxWait),
        );
        if (wait === 0) return;
        await sleep(Math.min(wait, maxWait), signal);
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
