import type { Redis } from 'ioredis';
import { doneKey, doneKeyPrefix } from './job-id.js';

/** What the cluster remembers of a converted content: enough to say where its output went. */
export interface DoneEntry {
  jobId: string;
  output: string;
  node: string;
  at: number;
}

export const DONE_SET_KEY = 'video-inbox:done';

/**
 * Content converted by any node, under a rule version: a Redis hash field per (content hash, rule
 * version), so a copy found later (renamed, re-copied, another node) is not paid for again. The
 * cluster twin of the journal's done index; it outlives BullMQ's trimmed completed-job lists.
 */
export interface DoneSet {
  get(contentHash: string, ruleVersion: string): Promise<DoneEntry | undefined>;
  add(contentHash: string, ruleVersion: string, entry: DoneEntry): Promise<void>;
}

export function redisDoneSet(redis: Redis, key = DONE_SET_KEY): DoneSet {
  return {
    async get(hash, version) {
      const raw = await redis.hget(key, doneKey(hash, version));
      if (!raw) return undefined;
      try {
        return JSON.parse(raw) as DoneEntry;
      } catch {
        return undefined;
      }
    },
    async add(hash, version, entry) {
      await redis.hset(key, doneKey(hash, version), JSON.stringify(entry));
    },
  };
}

/**
 * `video-inbox retry` in cluster mode: the cluster forgets that this content was converted (under
 * every rule version), so the node that finds it back in the inbox converts it again. The finished
 * BullMQ job of its id is replaced at intake (see `enqueue`). Returns how many entries it removed.
 */
export async function forgetDone(redis: Redis, contentHash: string, key = DONE_SET_KEY): Promise<number> {
  const fields: string[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(
      key,
      cursor,
      'MATCH',
      `${doneKeyPrefix(contentHash)}*`,
      'COUNT',
      500,
    );
    for (let i = 0; i < flat.length; i += 2) fields.push(flat[i]!);
    cursor = next;
  } while (cursor !== '0');
  return fields.length > 0 ? redis.hdel(key, ...fields) : 0;
}
