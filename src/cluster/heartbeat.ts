import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { QUEUE_PREFIX } from './backend.js';

export const NODE_KEY_PREFIX = `${QUEUE_PREFIX}:node:`;

/** What a live node says of itself; the key expires when the node stops renewing it. */
export interface NodeBeat {
  node: string;
  pid: number;
  startedAt: number;
  seenAt: number;
  /** Cloud job slots and local ffmpeg slots (0: no ffmpeg on this node). */
  concurrency: number;
  local: number;
}

/**
 * A key per node (`video-inbox:node:<name>`) renewed every third of its TTL: a node that is killed,
 * powers off or loses Redis disappears from `status` within the TTL. A stopping node removes its own.
 */
export function startHeartbeat(
  redis: Redis,
  opts: {
    node: string;
    pid: number;
    clock: Clock;
    ttlMs: number;
    info(): { concurrency: number; local: number };
  },
): { stop(): Promise<void> } {
  const key = `${NODE_KEY_PREFIX}${opts.node}`;
  const startedAt = opts.clock.now();
  const beat = async () => {
    const value: NodeBeat = {
      node: opts.node,
      pid: opts.pid,
      startedAt,
      seenAt: opts.clock.now(),
      ...opts.info(),
    };
    await redis.set(key, JSON.stringify(value), 'PX', opts.ttlMs).catch(() => undefined);
  };
  void beat();
  const timer = setInterval(() => void beat(), Math.max(200, Math.floor(opts.ttlMs / 3)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.del(key).catch(() => undefined);
    },
  };
}

/** The nodes alive now (their heartbeat key has not expired), by name. */
export async function liveNodes(redis: Redis): Promise<NodeBeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${NODE_KEY_PREFIX}*`, 'COUNT', 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values
    .flatMap((v) => {
      try {
        return v ? [JSON.parse(v) as NodeBeat] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}
