import type { Job, Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan } from '../domain/job.js';
import type { Engine } from '../engines/engine.js';
import type { FolderRules } from '../intake/types.js';
import type { Notifier } from '../notify/notifier.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import type { CompleteFile } from '../watch/types.js';
import { CLOUD_QUEUE, LOCAL_QUEUE, type ClusterBackend, type ClusterJobResult } from './backend.js';
import type { ClusterConfig } from '../config/cluster-config.js';
import { clusterCreditsHold } from './cluster-credits-hold.js';
import type { Queues } from './cluster-enqueue.js';
import type { ClusterIntakeResult } from './cluster-intake.js';
import { clusterProcessor } from './cluster-processor.js';
import { redisDoneSet } from './done-set.js';
import { startHeartbeat } from './heartbeat.js';
import type { ClusterJobData } from './job-data-store.js';
import { nodeIntake } from './node-intake.js';
import { displayRedisUrl } from './redis-connection.js';
import { redisHealth } from './redis-health.js';

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
  /** This node's state dir: a link in an inbox into it is never followed. */
  stateDir?: string;
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
  /** This node's schedule for a folder is closed: how long a new job of it waits (undefined: open). */
  closedFor?(folder: string): number | undefined;
}

export interface ClusterNode {
  /** Intake of one complete file; never throws (Redis away: the file is offered again later). */
  take(file: CompleteFile): Promise<ClusterIntakeResult | undefined>;
  setLimits(limits: { concurrency: number; local: number }): void;
  /** This node takes no new jobs (the ones it runs finish); the other nodes go on. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

/**
 * One node of a cluster: intake onto two BullMQ queues (cloud, local) with deterministic job ids,
 * a worker per queue (no local worker on a node without ffmpeg) running the one job path, a done-set
 * shared by all nodes, a heartbeat key, and the cluster-wide credits hold (the cloud queue paused
 * for every node; one check resumes it). Built by the daemon's wiring in place of the local pipeline.
 */
export async function startClusterNode(deps: ClusterNodeDeps): Promise<ClusterNode> {
  const { cluster, log, clock, backend } = deps;
  const clog = log.child({ module: 'cluster', node: cluster.node });
  const health = redisHealth(backend.redis, clog, cluster.redis);
  const lockMs = Math.round(cluster.lockSeconds * 1000);
  const queues: Queues = { nemo: backend.queue(CLOUD_QUEUE), local: backend.queue(LOCAL_QUEUE) };
  const doneSet = redisDoneSet(backend.redis);
  const stopping = new AbortController();
  const limits = { concurrency: deps.concurrency, local: deps.localSlots };
  let stopped = false;

  if (cluster.maxCloudJobs) setCloudLimit(queues.nemo, cluster.maxCloudJobs, clog);
  const shared = { redis: backend.redis, node: cluster.node };
  const holdCloud = clusterCreditsHold(queues.nemo, { ...deps, ...shared }, clog);
  const processor = clusterProcessor({
    ...{ node: cluster.node, engines: deps.engines, fs: deps.fs, notifier: deps.notifier },
    hashFile: deps.hashFile,
    printedConfig: deps.printedConfig,
    ...{ log, clock, ffprobe: deps.ffprobe, doneSet, lockMs, stopSignal: stopping.signal },
    holdCloud: holdCloud.hold,
    ...(deps.closedFor ? { closedFor: deps.closedFor } : {}),
  });
  const workers = startWorkers(deps, processor, lockMs, clog);
  const heartbeat = startHeartbeat(backend.redis, {
    ...{ node: cluster.node, pid: deps.pid, clock, ttlMs: Math.max(3000, lockMs) },
    info: () => ({ concurrency: limits.concurrency, local: deps.engines.local ? limits.local : 0 }),
  });
  const intake = nodeIntake({ ...deps, ...shared, ...{ queues, doneSet, health, clog } });
  clog.info(
    { redis: displayRedisUrl(cluster.redis), local: deps.engines.local !== undefined },
    'Cluster node started',
  );

  return {
    take: intake.take,
    setLimits(next) {
      Object.assign(limits, next);
      if (workers[0]) workers[0].concurrency = Math.max(1, next.concurrency);
      if (workers[1]) workers[1].concurrency = Math.max(1, next.local);
    },
    async pause() {
      // Not `pause(true)`: a fetch already waiting in Redis would still take the next job. This one
      // cuts that wait at once; the promise resolves only when the running jobs end, so it is not awaited.
      for (const w of workers) void w.pause(false).catch(() => undefined);
    },
    resume: () => workers.forEach((w) => w.resume()),
    async stop() {
      if (stopped) return;
      stopped = true;
      holdCloud.stop();
      intake.stop();
      stopping.abort();
      await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
      await heartbeat.stop();
      health.close();
    },
  };
}

/** `cluster.maxCloudJobs`; not awaited: a node starts (and keeps its files) while Redis is away. */
function setCloudLimit(cloud: Queues['nemo'], limit: number, clog: Logger): void {
  void cloud.setGlobalConcurrency(limit).catch((err: unknown) => {
    clog.warn({ err: toVideoInboxError(err).message }, 'Could not set the cluster-wide cloud job limit');
  });
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
