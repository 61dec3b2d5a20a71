import { nodeAtomicWriteFs } from '../core/atomic-write.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { defaultStateDir } from '../core/paths.js';
import { registerSecret } from '../core/secrets.js';
import type { Config } from '../config/config.js';
import type { NemoEngineOptions } from '../engines/nemo/index.js';
import { Agent } from 'undici';

/**
 * One mapping from config (or its absence, for `convert`) to the cloud engine's options. The engine
 * gets its own connection pool so stopping can close it: idle keep-alive sockets would otherwise hold
 * the process open for seconds after SIGTERM.
 */
export function nemoOptions(
  config: Config | undefined,
  env: Record<string, string | undefined>,
  log: Logger,
  clock: Clock,
): NemoEngineOptions & { dispatcher: Agent } {
  const token = env.NEMO_TOKEN || config?.api.token;
  registerSecret(token);
  return {
    baseUrl: env.NEMO_API_BASE || config?.api.baseUrl,
    stateDir: config?.stateDir ?? defaultStateDir(env),
    token,
    platform: config?.api.platform,
    pollSeconds: config?.api.pollSeconds,
    requestTimeoutMs: config ? config.api.requestTimeoutSeconds * 1000 : undefined,
    transferIdleMs: config ? config.api.transferIdleSeconds * 1000 : undefined,
    maxUploadBytes: config ? config.maxUploadMB * 1024 * 1024 : undefined,
    log: log.child({ module: 'nemo' }),
    clock,
    fs: nodeAtomicWriteFs,
    dispatcher: new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 }),
  };
}
