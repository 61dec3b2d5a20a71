import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { Engine } from '../engines/engine.js';
import type { FolderRules } from '../intake/types.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import type { CompleteFile } from '../watch/types.js';
import {
  CLOUD_QUEUE,
  LOCAL_QUEUE,
  QUEUE_PREFIX,
  type ClusterBackend,
  type ClusterJobResult,
} from './backend.js';
import type { ClusterConfig } from './cluster-config.js';
import { clusterIntake, type ClusterIntakeResult } from './cluster-intake.js';
import { clusterProcessor } from './cluster-processor.js';
import { redisDoneSet } from './done-set.js';
import { startHeartbeat } from './heartbeat.js';
import type { ClusterJobData } from './job-data-store.js';
import { displayRedisUrl } from './redis-connection.js';
import { intakeRetryDelayMs } from './redis-retry.js';

export interface ClusterNodeDeps {
  cluster: ClusterConfig;
  /** Redis and the BullMQ queues, from the composition root. */
  backend: ClusterBackend;
  /** Cloud jobs this node runs at once (`concurrency`). */
  concurrency: number;
  /** Local ffmpeg jobs this node runs at once (`limits.local`); no local engine, no local worker. */
  localSlots: number;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  fs: OutboxFs;
  hashFile(path: string): Promise<string>;
  ffprobe: string | undefined;
  folder(name: string): FolderRules | undefined;
  language(): string;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** The daemon's config when not the default, named in the commands it prints. */
  printedConfig?: string;
  /** How often a paused cloud queue checks the balance (one node per period does). */
  creditsCheckMs: number;
  /** True when the account has credits again. */
  hasCredits(): Promise<boolean>;
  /** A file left the inbox by this node's hand (the watcher must offer it again if it comes back). */
  sourceLeft(path: string): void;
  /** This process, as the heartbeat shows it. */
  pid: number;
}

export interface ClusterNode {
  /** Intake of one complete file; never throws (Redis away: the file is offered again later). */
  take(file: CompleteFile): Promise<ClusterIntakeResult | undefined>;
  setLimits(limits: { concurrency: number; local: number }): void;
  stop(): Promise<void>;
}

type Queues = Record<JobPlan['engine'], Queue<ClusterJobData>>;

/**
 * One node of a cluster: intake onto two BullMQ queues (cloud, local) with deterministic job ids,
 * a worker per queue (no local worker on a node without ffmpeg) running the one job path, a done-set
 * shared by all nodes, a heartbeat key, and the cluster-wide credits hold (the cloud queue paused
 * for every node; one check resumes it). Built by the daemon's wiring in place of the local pipeline.
 */
export async function startClusterNode(deps: ClusterNodeDeps): Promise<ClusterNode> {
  const { cluster, log, clock, backend } = deps;
  const clog = log.child({ module: 'cluster', node: cluster.node });
  const client = backend.redis;
  const health = redisHealth(client, clog, cluster.redis);
  const lockMs = Math.round(cluster.lockSeconds * 1000);
  const queues: Queues = { nemo: backend.queue(CLOUD_QUEUE), local: backend.queue(LOCAL_QUEUE) };
  const doneSet = redisDoneSet(client);
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const retries = new Map<string, number>();
  const limits = { concurrency: deps.concurrency, local: deps.localSlots };
  let stopped = false;

  if (cluster.maxCloudJobs) {
    // Not awaited: a node starts (and keeps its files) while Redis is away.
    void queues.nemo.setGlobalConcurrency(cluster.maxCloudJobs).catch((err: unknown) => {
      clog.warn({ err: toVideoInboxError(err).message }, 'Could not set the cluster-wide cloud job limit');
    });
  }
  const holdCloud = creditsHold(queues.nemo, deps, clog);
  const processor = clusterProcessor({
    ...{ node: cluster.node, engines: deps.engines, fs: deps.fs, notifier: deps.notifier },
    hashFile: deps.hashFile,
    printedConfig: deps.printedConfig,
    ...{ log, clock, ffprobe: deps.ffprobe, doneSet, lockMs, stopSignal: stopping.signal },
    holdCloud: holdCloud.hold,
  });
  const workers = startWorkers(deps, processor, lockMs, clog);
  const heartbeat = startHeartbeat(client, {
    node: cluster.node,
    pid: deps.pid,
    clock,
    ttlMs: Math.max(3000, lockMs),
    info: () => ({ concurrency: limits.concurrency, local: deps.engines.local ? limits.local : 0 }),
  });
  clog.info(
    { redis: displayRedisUrl(cluster.redis), local: deps.engines.local !== undefined },
    'Cluster node started',
  );

  return {
    take,
    setLimits(next) {
      Object.assign(limits, next);
      if (workers[0]) workers[0].concurrency = Math.max(1, next.concurrency);
      if (workers[1]) workers[1].concurrency = Math.max(1, next.local);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      holdCloud.stop();
      for (const t of timers) clearTimeout(t);
      stopping.abort();
      await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
      await heartbeat.stop();
      health.close();
    },
  };

  async function take(file: CompleteFile): Promise<ClusterIntakeResult | undefined> {
    if (stopped) return undefined;
    try {
      const result = await clusterIntake(file, {
        ...{ folder: deps.folder, fs: deps.fs, language: deps.language(), ffprobe: deps.ffprobe },
        ...{ doneSet, notifier: deps.notifier, clock, log, printedConfig: deps.printedConfig },
        enqueue: (record) => enqueue(queues, record),
        claim: async (key) =>
          (await client.set(`${QUEUE_PREFIX}:claim:${key}`, cluster.node, 'PX', 60_000, 'NX')) === 'OK',
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
}

/** A worker per queue; a node without ffmpeg runs none on the local queue. */
function startWorkers(
  deps: ClusterNodeDeps,
  processor: ReturnType<typeof clusterProcessor>,
  lockMs: number,
  clog: Logger,
): Worker<ClusterJobData, ClusterJobResult>[] {
  const workers = [deps.backend.worker(CLOUD_QUEUE, processor, { concurrency: deps.concurrency, lockMs })];
  if (deps.engines.local) {
    workers.push(deps.backend.worker(LOCAL_QUEUE, processor, { concurrency: deps.localSlots, lockMs }));
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
  return workers;
}

/** Adds the job unless a job of its id is queued or running; a finished failed one is tried anew. */
async function enqueue(queues: Queues, record: JobRecord): Promise<boolean> {
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

async function twinElsewhere(queues: Queues, id: string, path: string): Promise<boolean> {
  const job = (await queues.nemo.getJob(id)) ?? (await queues.local.getJob(id));
  return job !== undefined && job.data.record.source !== path;
}

/** Out of credits: the cloud queue paused for every node; one node per period checks the balance. */
function creditsHold(cloud: Queue<ClusterJobData>, deps: ClusterNodeDeps, clog: Logger) {
  const timer = setInterval(() => void check(), deps.creditsCheckMs);
  timer.unref();
  async function check(): Promise<void> {
    try {
      if (!(await cloud.isPaused())) return;
      const key = `${QUEUE_PREFIX}:credits-check`;
      const mine = await deps.backend.redis.set(key, deps.cluster.node, 'PX', deps.creditsCheckMs, 'NX');
      if (mine !== 'OK') return;
      if (!(await deps.hasCredits())) return;
      await cloud.resume();
      clog.info('Credits are back; resuming cloud jobs on every node');
    } catch (err) {
      clog.debug({ err: toVideoInboxError(err).message }, 'Credits check failed');
    }
  }
  return {
    async hold(hint: string | undefined): Promise<void> {
      if (await cloud.isPaused()) return;
      await cloud.pause();
      const link = hint?.match(/https?:\/\/\S+/)?.[0]?.replace(/[.,)]+$/, '');
      clog.warn('Out of credits: cloud jobs are paused on every node until credits return');
      deps.notifier.notify(notices.credits(link));
    },
    stop: () => clearInterval(timer),
  };
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
