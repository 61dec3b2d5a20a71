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
  opts: { creditsCheckMs?: number };
}

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
  });
  return {
    take: (file) => node.take(file),
    setLimits: (limits) => node.setLimits(limits),
    pause: () => node.pause(),
    resume: () => node.resume(),
    stop: () => node.stop(),
  };
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
