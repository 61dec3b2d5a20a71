import { Gauge, type Registry } from 'prom-client';

export interface ClusterGaugeSource {
  /** Jobs by queue and BullMQ state, cluster-wide. */
  counts(): Promise<{ queue: string; state: string; count: number }[]>;
  nodes(): Promise<unknown[]>;
}

/**
 * Cluster mode: `video_inbox_cluster_jobs{queue,state}` and `video_inbox_cluster_nodes_alive`, read
 * from Redis at scrape time, beside this node's own counters. While Redis is away they are absent
 * from the scrape (an empty gauge, not a false zero).
 */
export function registerClusterGauges(registry: Registry, source: ClusterGaugeSource): void {
  new Gauge({
    name: 'video_inbox_cluster_jobs',
    help: 'Jobs in the cluster by queue (cloud, local) and queue state (active, waiting, delayed, completed, failed…).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await source.counts().catch(() => []);
      for (const row of rows) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: 'video_inbox_cluster_nodes_alive',
    help: 'Cluster nodes whose heartbeat is current.',
    registers: [registry],
    async collect() {
      this.reset();
      const nodes = await source.nodes().catch(() => undefined);
      if (nodes) this.set(nodes.length);
    },
  });
}
