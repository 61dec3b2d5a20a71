import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { QUEUE_PREFIX } from './backend.js';
import type { ClusterJobData } from './job-data-store.js';

export interface CreditsHoldDeps {
  redis: Redis;
  node: string;
  notifier: Notifier;
  /** How often a paused cloud queue checks the balance (one node per period does). */
  creditsCheckMs: number;
  /** True when the account has credits again. */
  hasCredits(): Promise<boolean>;
}

export interface CreditsHold {
  /** Out of credits: pauses the cloud queue for every node (once) and tells the person. */
  hold(hint: string | undefined): Promise<void>;
  stop(): void;
}

/** Out of credits: the cloud queue paused for every node; one node per period checks the balance. */
export function clusterCreditsHold(
  cloud: Queue<ClusterJobData>,
  deps: CreditsHoldDeps,
  clog: Logger,
): CreditsHold {
  const timer = setInterval(() => void check(), deps.creditsCheckMs);
  timer.unref();
  async function check(): Promise<void> {
    try {
      if (!(await cloud.isPaused())) return;
      const key = `${QUEUE_PREFIX}:credits-check`;
      const mine = await deps.redis.set(key, deps.node, 'PX', deps.creditsCheckMs, 'NX');
      if (mine !== 'OK') return;
      if (!(await deps.hasCredits())) return;
      await cloud.resume();
      clog.info('Credits are back; resuming cloud jobs on every node');
    } catch (err) {
      clog.debug({ err: toVideoInboxError(err).message }, 'Credits check failed');
    }
  }
  return {
    async hold(hint) {
      if (await cloud.isPaused()) return;
      await cloud.pause();
      const link = hint?.match(/https?:\/\/\S+/)?.[0]?.replace(/[.,)]+$/, '');
      clog.warn('Out of credits: cloud jobs are paused on every node until credits return');
      deps.notifier.notify(notices.credits(link));
    },
    stop: () => clearInterval(timer),
  };
}
