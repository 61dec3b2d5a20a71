import type { AppPorts } from '../app/ports.js';
import type { ClusterBackend } from '../cluster/backend.js';
import { startClusterNode } from '../cluster/cluster-node.js';
import { CALLS_KEY, UPLOADS_KEY } from '../cluster/backend.js';
import { redisCallRate, type CallRate } from '../cluster/redis-call-rate.js';
import { redisSemaphore } from '../cluster/redis-semaphore.js';
import { sharedStageLimiter } from '../cluster/shared-stages.js';
import type { StageLimiter } from '../engines/stage-limits.js';
import type { Config } from '../config/config.js';
import type { FolderRules } from '../intake/types.js';
import type { Notifier } from '../notify/notifier.js';
import { nodeHold } from '../cluster/node-hold.js';
import { closedFolderDelayMs, scheduleClosesNode } from '../cluster/schedule-hold.js';
import type { StartGate } from '../queue/start-gate.js';
import type { Work } from './work.js';
import type { Engines } from './workers.js';

export interface ClusterWiring {
  ports: AppPorts;
  backend: ClusterBackend;
  engines: Engines;
  notifier: Notifier;
  config(): Config;
  folder(name: string): FolderRules | undefined;
  /** The daemon moved a source out of the inbox (the watcher offers it again if it comes back). */
  forget(path: string): void;
  /** The schedule windows (and the person's pause), as on one host. */
  gate: StartGate;
  opts: { creditsCheckMs?: number };
}

/** How often a node looks at its schedule (a window opens or closes on a minute). */
const SCHEDULE_TICK_MS = 5000;

/** The cluster's work on this node, which a person may pause (this node only). */
export type ClusterWork = Work & { pause(): Promise<void>; resume(): void };

/**
 * Cluster mode (`cluster:`): files go onto the shared BullMQ queues instead of the local pipeline,
 * and this node's workers run the cluster's jobs through the same job path.
 */
export async function startClusterWork(w: ClusterWiring): Promise<ClusterWork> {
  const config = w.config();
  const cluster = config.cluster!;
  const { engines, ports } = w;
  const node = await startClusterNode({
    ...{ cluster, backend: w.backend, concurrency: config.concurrency, localSlots: config.limits.local },
    engines: { nemo: engines.nemo.engine, local: engines.local },
    ...{
      fs: ports.fs,
      hashFile: ports.hashFile,
      ffprobe: engines.tools?.ffprobe,
      stateDir: config.stateDir,
      folder: w.folder,
      notifier: w.notifier,
      printedConfig: ports.printedConfig,
    },
    language: () => w.config().api.language,
    ...{ clock: ports.clock, log: ports.log, pid: w.backend.pid },
    creditsCheckMs: w.opts.creditsCheckMs ?? config.api.creditsCheckSeconds * 1000,
    hasCredits: async () => (await engines.nemo.engine.client.credits()).available > 0,
    sourceLeft: w.forget,
    closedFor: (folder) => closedFolderDelayMs(w.gate, folder, new Date(ports.clock.now())),
  });
  const hold = nodeHold(node);
  const schedule = followSchedule(w, hold);
  return {
    take: (file) => node.take(file),
    setLimits: (limits) => node.setLimits(limits),
    pause: () => hold.set('user', true),
    resume: () => void hold.set('user', false),
    async stop() {
      clearInterval(schedule);
      await node.stop();
    },
  };
}

/**
 * The schedule on a cluster node: outside every window of this node (each folder's own, else the
 * top-level one) its workers pause, so the other nodes take the jobs; they resume when a window opens.
 */
function followSchedule(w: ClusterWiring, hold: ReturnType<typeof nodeHold>): NodeJS.Timeout {
  const log = w.ports.log.child({ module: 'cluster', node: w.config().cluster!.node });
  const check = () => {
    const now = new Date(w.ports.clock.now());
    const closed = scheduleClosesNode(
      w.gate,
      w.config().folders.map((f) => f.name),
      now,
    );
    if (closed === hold.has('schedule')) return;
    const opensAt = closed ? w.gate.opensAt(now)?.toISOString() : undefined;
    if (closed) log.info({ opensAt }, 'Outside the schedule: this node takes no new jobs');
    else log.info('Schedule window open: this node takes jobs again');
    void hold.set('schedule', closed);
  };
  check();
  const timer = setInterval(check, SCHEDULE_TICK_MS);
  timer.unref();
  return timer;
}

/** `cluster.apiCallsPerMinute`: the account's API calls over any minute, counted across every node. */
export function clusterCallRate(backend: ClusterBackend, config: () => Config): CallRate | undefined {
  const cluster = config().cluster;
  if (!cluster?.apiCallsPerMinute) return undefined;
  return redisCallRate(backend.redis, {
    key: CALLS_KEY,
    limit: () => config().cluster?.apiCallsPerMinute ?? cluster.apiCallsPerMinute!,
    windowMs: 60_000,
    holder: `${cluster.node}:${backend.pid}`,
  });
}

/** `cluster.maxUploads`: uploads bounded across every node (one account), on top of `limits.uploads`. */
export function clusterStages(
  backend: ClusterBackend,
  config: () => Config,
  local: StageLimiter,
): StageLimiter {
  const cluster = config().cluster;
  if (!cluster?.maxUploads) return local;
  const upload = redisSemaphore(backend.redis, {
    key: UPLOADS_KEY,
    limit: () => config().cluster?.maxUploads ?? cluster.maxUploads!,
    leaseMs: Math.round(cluster.lockSeconds * 1000),
    holder: `${cluster.node}:${backend.pid}`,
  });
  return sharedStageLimiter(local, { upload });
}
