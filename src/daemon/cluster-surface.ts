import type { ClusterBackend } from '../cluster/backend.js';
import { forgetDone } from '../cluster/done-set.js';
import { clusterView, type ClusterJobView, type ClusterView } from '../cluster/cluster-view.js';
import type { EventBus } from '../events/event-bus.js';
import type { JobView } from '../events/events.js';
import { snapshotEvents } from '../events/snapshot-events.js';
import { createClusterControl } from '../http/cluster-control.js';
import { createDaemonControl } from '../http/daemon-control.js';
import { retryJobSource } from '../http/retry-source.js';
import { registerClusterGauges } from '../metrics/cluster-gauges.js';
import type { ClusterWork } from './cluster-wiring.js';
import { controlDeps, serveSurface, type SurfaceParts } from './surface-wiring.js';

export interface ClusterSurfaceOptions extends SurfaceParts {
  backend: ClusterBackend;
  work: ClusterWork;
}

/** Finished jobs of each queue shown on the page and REST (BullMQ keeps 1,000). */
const FINISHED = 200;
const POLL_MS = 2000;
const FRESH_MS = 1000;

/**
 * Cluster mode's page, REST, SSE and metrics on this node: the jobs of every node (read from Redis,
 * their changes published as events every two seconds), the nodes alive, cluster gauges beside this
 * node's counters; pause and resume steer this node. Same server, key and guard as on one host.
 */
export async function attachClusterSurface(o: ClusterSurfaceOptions): Promise<{ close(): Promise<void> }> {
  const { ports, prepared, work } = o;
  const node = o.config().cluster!.node;
  const view = clusterView(o.backend);
  registerClusterGauges(prepared.metrics.registry, view);
  const feed = clusterFeed(view, prepared.bus, node, () => ports.clock.now());
  const deps = controlDeps(o);
  // What was converted is the cluster's record (Redis), not this node's state dir.
  const retry = {
    ...deps.retry,
    forget: async (hash: string) => void (await forgetDone(o.backend.redis, hash)),
  };
  const base = createDaemonControl({
    ...deps,
    pipeline: { stats: feed.stats, abort: () => false, isRunning: () => false },
  });
  const control = createClusterControl(
    base,
    {
      ...{ node, jobs: feed.jobs, nodes: view.nodes, cloudPaused: view.cloudPaused },
      pauseNode: () => work.pause(),
      resumeNode: async () => work.resume(),
      retrySource: (job) => retryJobSource({ config: o.config, retry, log: ports.log }, job),
    },
    prepared.bus,
  );
  // A pause set before a restart holds this node again.
  if (prepared.steering.pause.paused()) await work.pause();
  const served = await serveSurface(
    o,
    control,
    () => prepared.metrics.queueDepth(feed.stats()),
    (job) => job.node === node,
  );
  return {
    async close() {
      feed.stop();
      await served.close();
    },
  };
}

/**
 * The cluster's jobs, read at most once a second and every two seconds in the background; each read
 * publishes what changed since the last one (the first read is the baseline: no events).
 */
function clusterFeed(view: ClusterView, bus: EventBus, node: string, now: () => number) {
  let snapshot: { at: number; jobs: ClusterJobView[] } | undefined;
  let reading: Promise<ClusterJobView[]> | undefined;
  const read = async (): Promise<ClusterJobView[]> => {
    const jobs = await view.jobs(FINISHED);
    if (snapshot) {
      const prev = new Map<string, JobView>(snapshot.jobs.map((j) => [j.id, j]));
      for (const event of snapshotEvents(prev, jobs)) bus.publish(event);
    }
    snapshot = { at: now(), jobs };
    return jobs;
  };
  const jobs = async (): Promise<ClusterJobView[]> => {
    if (snapshot && now() - snapshot.at < FRESH_MS) return snapshot.jobs;
    reading ??= read().finally(() => (reading = undefined));
    // Redis away for a moment: the last jobs read, rather than no page at all.
    return snapshot ? reading.catch(() => snapshot!.jobs) : reading;
  };
  const timer = setInterval(() => void jobs().catch(() => undefined), POLL_MS);
  timer.unref();
  void jobs().catch(() => undefined);
  return {
    jobs,
    /** This node's running jobs and the cluster's waiting ones, as of the last read. */
    stats() {
      const all = snapshot?.jobs ?? [];
      return {
        running: all.filter((j) => j.queueState === 'active' && j.node === node).length,
        waiting: all.filter((j) => ['waiting', 'delayed', 'prioritized'].includes(j.queueState)).length,
      };
    },
    stop: () => clearInterval(timer),
  };
}
