import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FolderRules } from '../intake/types.js';
import type { Notifier } from '../notify/notifier.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import type { CompleteFile } from '../watch/types.js';
import { QUEUE_PREFIX } from './backend.js';
import { enqueue, twinElsewhere, type Queues } from './cluster-enqueue.js';
import { clusterIntake, type ClusterIntakeResult } from './cluster-intake.js';
import type { DoneSet } from './done-set.js';
import type { RedisHealth } from './redis-health.js';
import { intakeRetryDelayMs } from './redis-retry.js';

export interface NodeIntakeDeps {
  node: string;
  redis: Redis;
  queues: Queues;
  doneSet: DoneSet;
  health: Pick<RedisHealth, 'down'>;
  fs: OutboxFs;
  ffprobe: string | undefined;
  /** This node's state dir: a link in an inbox into it is never followed. */
  stateDir?: string;
  /** The daemon's config when not the default, named in the commands it prints. */
  printedConfig?: string;
  folder(name: string): FolderRules | undefined;
  language(): string;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** The node's log (with its name), for the line about a file that could not be taken. */
  clog: Logger;
}

export interface NodeIntake {
  /** Intake of one complete file; never throws (Redis away: the file is offered again later). */
  take(file: CompleteFile): Promise<ClusterIntakeResult | undefined>;
  stop(): void;
}

/**
 * A node's intake: a file becomes a cluster job, or is offered again later when Redis is away (with
 * a growing delay) or when another copy of the same content is converting right now.
 */
export function nodeIntake(deps: NodeIntakeDeps): NodeIntake {
  const { queues, clog } = deps;
  const timers = new Set<NodeJS.Timeout>();
  const retries = new Map<string, number>();
  let stopped = false;

  async function take(file: CompleteFile): Promise<ClusterIntakeResult | undefined> {
    if (stopped) return undefined;
    try {
      const result = await clusterIntake(file, {
        ...{ folder: deps.folder, fs: deps.fs, language: deps.language(), ffprobe: deps.ffprobe },
        ...(deps.stateDir ? { stateDir: deps.stateDir } : {}),
        ...{ doneSet: deps.doneSet, notifier: deps.notifier, clock: deps.clock, log: deps.log },
        printedConfig: deps.printedConfig,
        enqueue: (record) => enqueue(queues, record),
        claim: async (key) =>
          (await deps.redis.set(`${QUEUE_PREFIX}:claim:${key}`, deps.node, 'PX', 60_000, 'NX')) === 'OK',
      });
      retries.delete(file.path);
      if (result.kind === 'queued' && !result.added && (await twinElsewhere(queues, result.id, file.path))) {
        // Another copy of this content is converting; this one becomes a duplicate once it is done.
        later(file, 10_000);
      }
      return result;
    } catch (err) {
      const attempt = (retries.get(file.path) ?? 0) + 1;
      retries.set(file.path, attempt);
      if (!deps.health.down) {
        clog.warn(
          { file: file.path, err: toVideoInboxError(err).message },
          'Could not take the file; it stays in the inbox and is tried again',
        );
      }
      later(file, intakeRetryDelayMs(attempt));
      return undefined;
    }
  }

  function later(file: CompleteFile, ms: number): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void take(file);
    }, ms);
    timer.unref();
    timers.add(timer);
  }

  return {
    take,
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}
