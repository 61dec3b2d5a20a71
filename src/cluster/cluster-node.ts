import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Engine } from '../engines/engine.js';
import type { JobRecord } from '../jobs/job.js';
import type { JobPlan } from '../jobs/job-plan.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import type { FolderRules } from '../daemon/intake.js';
import type { CompleteFile } from '../watch/types.js';
import type { ClusterConfig } from './cluster-config.js';
import { clusterIntake, type ClusterIntakeResult } from './cluster-intake.js';
import { clusterProcessor, type ClusterJobResult } from './cluster-processor.js';
import { redisDoneSet } from './done-set.js';
import type { ClusterJobData } from './job-data-store.js';
import { createRedis, displayRedisUrl, redisOptions } from './redis-connection.js';
import { intakeRetryDelayMs } from './redis-retry.js';

export const QUEUE_PREFIX = 'video-inbox';
export const CLOUD_QUEUE = 'cloud';
export const LOCAL_QUEUE = 'local';

export interface ClusterNodeDeps {
  cluster: ClusterConfig;
  /** Cloud jobs this node runs at once (`concurrency`). */
  concurrency: number;
  /** Local ffmpeg jobs this node runs at once (`limits.local`); no local engine, no local worker. */
  localSlots: number;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  ffprobe: string | undefined;
  folder(name: string): FolderRules | undefined;
  language: string;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** How often a paused cloud queue checks the balance (one node per period does). */
  creditsCheckMs: number;
  /** True when the account has credits again. */
  hasCredits(): Promise<boolean>;
  /** A file left the inbox by this node's hand (the watcher must offer it again if it comes back). */
  sourceLeft(path: string): void;
}

export interface ClusterNode {
  /** Intake of one complete file; never throws (Redis away: the file is offered again later). */
  take(file: CompleteFile): Promise<ClusterIntakeResult | undefined>;
  setLimits(concurrency: number, localSlots: number): void;
  stop(): Promise<void>;
}

/**
 * One node of a cluster: intake onto two BullMQ queues (cloud, local) with deterministic job ids,
 * a worker per queue (no local worker on a node without ffmpeg), a done-set shared by all nodes,
 * and the cluster-wide credits hold (the cloud queue paused for every node; one check resumes it).
 *
 * Seam: built by src/daemon/daemon.ts when `cluster:` is configured, in place of the local
 * pipeline; it takes the same engines, notifier and folder rules. The watcher stays per node.
 */
export async function startClusterNode(deps: ClusterNodeDeps): Promise<ClusterNode> {
  const { cluster, log, clock } = deps;
  const clog = log.child({ module: 'cluster', node: cluster.node });
  const client = createRedis(cluster, 'client');
  const health = redisHealth(client, clog, cluster.redis);
  const lockMs = Math.round(cluster.lockSeconds * 1000);
  const connection = redisOptions(cluster, 'worker');
  const queueOpts = {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: {
      // Only what escapes a run (Redis gone mid-job) counts; job-level retries are delays.
      attempts: 10_000,
      backoff: { type: 'fixed', delay: 5000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  };
  const queues: Record<JobPlan['engine'], Queue<ClusterJobData>> = {
    nemo: new Queue<ClusterJobData>(CLOUD_QUEUE, queueOpts),
    local: new Queue<ClusterJobData>(LOCAL_QUEUE, queueOpts),
  };
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  const doneSet = redisDoneSet(client);
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const retries = new Map<string, number>();
  let stopped = false;

  if (cluster.maxCloudJobs) {
    // Not awaited: a node starts (and keeps its files) while Redis is away.
    void queues.nemo.setGlobalConcurrency(cluster.maxCloudJobs).catch((err: unknown) => {
      clog.warn({ err: toVideoInboxError(err).message }, 'Could not set the cluster-wide cloud job limit');
    });
  }

  const processor = clusterProcessor({
    node: cluster.node,
    engines: deps.engines,
    notifier: deps.notifier,
    log,
    clock,
    ffprobe: deps.ffprobe,
    doneSet,
    lockMs,
    stopSignal: stopping.signal,
    holdCloud,
  });
  const workerOpts = {
    connection,
    prefix: QUEUE_PREFIX,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job handed over after a node died is not a poisoned job; Redis outages stall many at once.
    maxStalledCount: 1000,
  };
  const workers: Worker<ClusterJobData, ClusterJobResult>[] = [
    new Worker(CLOUD_QUEUE, processor, { ...workerOpts, concurrency: Math.max(1, deps.concurrency) }),
  ];
  if (deps.engines.local) {
    workers.push(
      new Worker(LOCAL_QUEUE, processor, { ...workerOpts, concurrency: Math.max(1, deps.localSlots) }),
    );
  } else {
    clog.info('No ffmpeg on this node: it takes no local jobs (other nodes do)');
  }
  for (const w of workers) {
    w.on('error', (err) => clog.debug({ err: err.message }, 'Queue worker error'));
    w.on('completed', (job: Job<ClusterJobData>, result: ClusterJobResult) => {
      const leftInbox =
        (result.kind === 'failed' && result.setAsideTo !== undefined) ||
        (result.kind !== 'failed' && job.data.record.plan?.after !== 'keep');
      if (leftInbox) deps.sourceLeft(job.data.record.source);
    });
  }

  const creditsTimer = setInterval(() => void checkCredits(), deps.creditsCheckMs);
  creditsTimer.unref();
  clog.info(
    { redis: displayRedisUrl(cluster.redis), local: deps.engines.local !== undefined },
    'Cluster node started',
  );

  return {
    take,
    setLimits(concurrency, localSlots) {
      if (workers[0]) workers[0].concurrency = Math.max(1, concurrency);
      if (workers[1]) workers[1].concurrency = Math.max(1, localSlots);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(creditsTimer);
      for (const t of timers) clearTimeout(t);
      stopping.abort();
      await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined)));
      health.close();
      client.disconnect();
    },
  };

  async function take(file: CompleteFile): Promise<ClusterIntakeResult | undefined> {
    if (stopped) return undefined;
    try {
      const result = await clusterIntake(file, {
        folder: deps.folder,
        language: deps.language,
        ffprobe: deps.ffprobe,
        doneSet,
        enqueue,
        claim: async (key) =>
          (await client.set(`${QUEUE_PREFIX}:claim:${key}`, cluster.node, 'PX', 60_000, 'NX')) === 'OK',
        notifier: deps.notifier,
        clock,
        log,
      });
      retries.delete(file.path);
      if (result.kind === 'queued' && !result.added && (await twinElsewhere(result.id, file.path))) {
        // Another copy of this content is converting; this one becomes a duplicate once it is done.
        later(file, 10_000);
      }
      return result;
    } catch (err) {
      const attempt = (retries.get(file.path) ?? 0) + 1;
      retries.set(file.path, attempt);
      if (!health.down) {
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

  async function enqueue(record: JobRecord): Promise<boolean> {
    const queue = queues[record.engine];
    const existing = await queue.getJob(record.id);
    if (existing) {
      const state = await existing.getState();
      // A finished job of this id whose content is not in the done-set failed (its source was set
      // aside) and was put back by a person: that is a new attempt.
      if (state !== 'completed' && state !== 'failed') return false;
      await existing.remove().catch(() => undefined);
    }
    const before = await queue.getJob(record.id);
    if (before) return false;
    await queue.add('convert', { record }, { jobId: record.id });
    return true;
  }

  async function twinElsewhere(id: string, path: string): Promise<boolean> {
    const job = (await queues.nemo.getJob(id)) ?? (await queues.local.getJob(id));
    return job !== undefined && job.data.record.source !== path;
  }

  async function holdCloud(hint: string | undefined): Promise<void> {
    if (await queues.nemo.isPaused()) return;
    await queues.nemo.pause();
    const link = hint?.match(/https?:\/\/\S+/)?.[0]?.replace(/[.,)]+$/, '');
    clog.warn('Out of credits: cloud jobs are paused on every node until credits return');
    deps.notifier.notify(notices.credits(link));
  }

  async function checkCredits(): Promise<void> {
    try {
      if (!(await queues.nemo.isPaused())) return;
      const mine = await client.set(
        `${QUEUE_PREFIX}:credits-check`,
        cluster.node,
        'PX',
        deps.creditsCheckMs,
        'NX',
      );
      if (mine !== 'OK') return;
      if (!(await deps.hasCredits())) return;
      await queues.nemo.resume();
      clog.info('Credits are back; resuming cloud jobs on every node');
    } catch (err) {
      clog.debug({ err: toVideoInboxError(err).message }, 'Credits check failed');
    }
  }
}

/** Logs once when Redis goes away and once when it is back, however many commands failed between. */
function redisHealth(client: Redis, log: Logger, url: string) {
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
