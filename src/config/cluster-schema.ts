import { z } from 'zod';

/**
 * `cluster:` in config.yaml. Present: this daemon is one node of a cluster that shares its inboxes
 * through a Redis server (BullMQ queues). Absent: nothing changes, no Redis is needed.
 *
 * Seam: config-schema.ts adds this as an optional key, load-config.ts resolves it with
 * `resolveClusterConfig` (src/config/cluster-config.ts). Nothing else in config/ knows about it.
 */
export const ClusterSchema = z
  .strictObject({
    redis: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'Expected a redis:// or rediss:// URL, like redis://nas.local:6379/0')
      .refine((u) => URL.canParse(u), 'Expected a redis:// or rediss:// URL, like redis://nas.local:6379/0')
      .describe(
        'The Redis server every node shares: redis://host:port/db, or rediss:// for TLS. Put no password here; use passwordEnv.',
      ),
    node: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dots, dashes or underscores')
      .max(64)
      .optional()
      .describe('This node in logs and job records. Default: the host name.'),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Expected an environment variable name, like REDIS_PASSWORD')
      .optional()
      .describe('Environment variable (or --env-file line) holding the Redis password. It is never logged.'),
    maxCloudJobs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Cloud jobs in flight across ALL nodes (one account, one API). Default: no cluster-wide cap, each node runs `concurrency`.',
      ),
    maxUploads: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Uploads in flight across ALL nodes (one account). Default: no cluster-wide cap, each node uploads `limits.uploads` at once.',
      ),
    apiCallsPerMinute: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'NemoVideo API calls per minute across ALL nodes (one account), over any 60 seconds. Default: no cluster-wide rate.',
      ),
    lockSeconds: z
      .number()
      .positive()
      .default(30)
      .describe(
        'A node that stops renewing a job lock for this long (killed, powered off, cut off) loses the job to another node.',
      ),
  })
  .describe('Cluster mode: several hosts share the inboxes through Redis; each video is converted once.');
