import type { AppPorts } from '../app/ports.js';
import type { ClusterBackend } from '../cluster/backend.js';
import { startClusterNode } from '../cluster/cluster-node.js';
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
    ...{ fs: ports.fs, ffprobe: engines.tools?.ffprobe, folder: w.folder, notifier: w.notifier },
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
