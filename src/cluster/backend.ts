import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ClusterJobData } from './job-data-store.js';

export const QUEUE_PREFIX = 'video-inbox';
export const CLOUD_QUEUE = 'cloud';
export const LOCAL_QUEUE = 'local';
/** The cluster-wide upload slots (`cluster.maxUploads`): a sorted set of holders. */
export const UPLOADS_KEY = `${QUEUE_PREFIX}:uploads`;
/** The account's recent API calls (`cluster.apiCallsPerMinute`): a sorted set scored by time. */
export const CALLS_KEY = `${QUEUE_PREFIX}:api-calls`;

/** What a finished cluster job returns (kept by BullMQ with the completed job). */
export type ClusterJobResult =
  | { kind: 'done'; output: string; node: string }
  | { kind: 'duplicate'; output: string; node: string }
  | { kind: 'failed'; code: string; setAsideTo?: string; node: string };

export type ClusterProcessor = (job: Job<ClusterJobData>, token?: string) => Promise<ClusterJobResult>;

/**
 * The cluster's Redis as a port: one command connection and the BullMQ queues and workers over it.
 * Built only in the composition root (`src/app/cluster-backend.ts`) from `cluster:`; tests build it
 * the same way against their own redis-server.
 */
export interface ClusterBackend {
  /** Commands outside the queues (done-set, claims, heartbeats, semaphores); fails fast while Redis is away. */
  redis: Redis;
  queue(name: string): Queue<ClusterJobData>;
  worker(
    name: string,
    processor: ClusterProcessor,
    opts: { concurrency: number; lockMs: number },
  ): Worker<ClusterJobData, ClusterJobResult>;
  /** This process, as the node's heartbeat shows it. */
  pid: number;
  /** Closes the queues and the command connection (workers are closed by their owner). */
  close(): Promise<void>;
}
