import type { AppPorts } from '../app/ports.js';
import type { ClusterBackend } from '../cluster/backend.js';
import { startClusterNode } from '../cluster/cluster-node.js';
import { UPLOADS_KEY } from '../cluster/backend.js';
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

/**
 * Cluster mode (`cluster:`): files go onto the shared BullMQ queues instead of the local pipeline,
 * and this node's workers run the cluster's jobs through the same job path.
 */
export async function startClusterWork(w: ClusterWiring): Promise<Work> {
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
    stop: () => node.stop(),
  };
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
