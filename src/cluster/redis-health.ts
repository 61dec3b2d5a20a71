import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { displayRedisUrl } from './redis-connection.js';

export interface RedisHealth {
  readonly down: boolean;
  close(): void;
}

/** Logs once when Redis goes away and once when it is back, however many commands failed between. */
export function redisHealth(client: Redis, log: Logger, url: string): RedisHealth {
  const state = { down: false };
  const onError = (err: Error) => {
    if (state.down) return;
    state.down = true;
    log.warn(
      { redis: displayRedisUrl(url), err: err.message },
      'Redis is unreachable: files stay where they are and are tried again until it returns',
    );
  };
  const onReady = () => {
    if (!state.down) return;
    state.down = false;
    log.info({ redis: displayRedisUrl(url) }, 'Redis is reachable again; work continues');
  };
  client.on('error', onError);
  client.on('ready', onReady);
  return {
    get down() {
      return state.down;
    },
    close() {
      client.off('error', onError);
      client.off('ready', onReady);
    },
  };
}
