import { hostname } from 'node:os';
import type { z } from 'zod';
import { registerSecret } from '../core/secrets.js';
import type { ClusterSchema } from './cluster-schema.js';

/** `cluster:` resolved: the node name filled in and the password read from the environment. */
export interface ClusterConfig {
  redis: string;
  node: string;
  /** From `passwordEnv` (or the URL); registered as a secret so it is redacted everywhere. */
  password: string | undefined;
  passwordEnv: string | undefined;
  maxCloudJobs: number | undefined;
  maxUploads: number | undefined;
  /** NemoVideo API calls per minute across every node (one account). */
  apiCallsPerMinute: number | undefined;
  lockSeconds: number;
}

type Env = Record<string, string | undefined>;

export function resolveClusterConfig(
  raw: z.output<typeof ClusterSchema> | undefined,
  env: Env,
  host: () => string = hostname,
): ClusterConfig | undefined {
  if (!raw) return undefined;
  const password = raw.passwordEnv ? env[raw.passwordEnv] || undefined : undefined;
  registerSecret(password);
  // A password written in the URL itself is a secret too, even though the docs advise against it.
  const url = URL.canParse(raw.redis) ? new URL(raw.redis) : undefined;
  if (url?.password) registerSecret(decodeURIComponent(url.password));
  return {
    redis: raw.redis,
    node: raw.node ?? (host().split('.')[0] || 'node'),
    password,
    passwordEnv: raw.passwordEnv,
    maxCloudJobs: raw.maxCloudJobs,
    maxUploads: raw.maxUploads,
    apiCallsPerMinute: raw.apiCallsPerMinute,
    lockSeconds: raw.lockSeconds,
  };
}
