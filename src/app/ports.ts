import { hashFile } from '../core/content-hash.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ClusterBackend } from '../cluster/backend.js';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { Config } from '../config/config.js';
import { createNemoEngine, type NemoEngine } from '../engines/nemo/index.js';
import type { StageLimiter } from '../engines/stage-limits.js';
import { utimes } from 'node:fs/promises';
import type { RetryFileDeps } from '../intake/retry-file.js';
import { retryMarks, type RetryMarks } from '../intake/retry-marks.js';
import { openJournal, type Journal } from '../jobs/journal.js';
import { acquireLock, type DaemonLock } from '../jobs/lock.js';
import { createDesktopNotifier } from '../notify/desktop-notifier.js';
import { silentNotifier, type Notifier } from '../notify/notifier.js';
import {
  chokidarWatchFactory,
  createInboxWatcher,
  type InboxWatcher,
  type InboxWatcherOptions,
} from '../watch/index.js';
import type { CompleteFile } from '../watch/types.js';
import { realJobPorts, type JobPorts } from './job-ports.js';
import { watchFiles, type SettingsWatcher } from './live-files.js';
import { nemoOptions } from './nemo-options.js';
import { realSurfacePorts, type SurfacePorts } from './surface-ports.js';

export type Env = Record<string, string | undefined>;

/** A cloud engine with the connection pool it owns. */
export interface NemoHandle {
  engine: NemoEngine;
  /** Lets requests in flight finish, then closes the pool. */
  close(): Promise<void>;
  /** Closes the pool at once (idle keep-alive sockets would hold a stopping process open). */
  destroy(): Promise<void>;
}

/**
 * Every side effect the daemon and `convert` reach, as one object. `realPorts` builds the real one,
 * once, in the composition root; tests build theirs from it with a few ports swapped. Modules below
 * receive what they need from here and never build a real port themselves.
 */
export interface AppPorts extends JobPorts {
  env: Env;
  /**
   * The config the daemon was started with, when it is not the default: every command it prints
   * (`.error.txt`, hints, logs, notifications) names it, so it runs as printed. Data, not a port.
   */
  printedConfig?: string;
  lock(stateDir: string): Promise<DaemonLock>;
  openJournal(stateDir: string): Promise<Journal>;
  notifier(config: Config): Notifier;
  /** The cloud engine over its own HTTP connection pool (the dispatcher). */
  /** `beforeCall`: awaited before each API request (cluster mode: the shared call rate). */
  nemo(
    config: Config | undefined,
    stages?: StageLimiter,
    beforeCall?: (signal?: AbortSignal) => Promise<void>,
  ): NemoHandle;
  retryMarks(stateDir: string): RetryMarks;
  /** The retry use case's ports (`retryFile`, for the API; the CLI builds the same). */
  retryDeps(stateDir: string): RetryFileDeps;
  /** Page, API, metrics and webhook channels. */
  surface: SurfacePorts;
  watchInboxes(
    options: Omit<InboxWatcherOptions, 'clock' | 'log' | 'watchFactory'>,
    onFile: (file: CompleteFile) => void,
  ): InboxWatcher;
  watchSettings(onChange: (changed: string[]) => void): SettingsWatcher;
  /**
   * Cluster mode only: the shared Redis and its BullMQ queues (`cluster:` in the config). Loaded on
   * demand: a single-host daemon never pays for BullMQ and ioredis (hundreds of modules, ~10 MB).
   */
  cluster(config: ClusterConfig): Promise<ClusterBackend>;
}

/** The real ports: node:fs, the system clock, undici, ffmpeg, desktop notifications, chokidar. */
export function realPorts(base: { env: Env; log: Logger; clock?: Clock; printedConfig?: string }): AppPorts {
  const { env, log } = base;
  const job = realJobPorts({ log, clock: base.clock });
  const { clock, fs } = job;
  return {
    ...job,
    env,
    ...(base.printedConfig === undefined ? {} : { printedConfig: base.printedConfig }),
    lock: (stateDir) => acquireLock(stateDir, { clock }),
    openJournal: (stateDir) => openJournal(stateDir, { clock, log: log.child({ module: 'journal' }) }),
    notifier: (config) =>
      config.notify === 'none' ? silentNotifier : createDesktopNotifier(log.child({ module: 'notify' })),
    nemo: (config, stages, beforeCall) => {
      const options = nemoOptions(config, env, log, clock);
      return {
        engine: createNemoEngine({ ...options, stages, beforeCall }),
        close: () => options.dispatcher.close(),
        destroy: () => options.dispatcher.destroy(),
      };
    },
    retryMarks: (stateDir) => retryMarks(stateDir, { fs, clock }),
    retryDeps: (stateDir) => ({
      fs,
      clock,
      marks: retryMarks(stateDir, { fs, clock }),
      hash: hashFile,
      touch: (file, at) => utimes(file, at, at),
    }),
    surface: realSurfacePorts,
    watchInboxes: (options, onFile) =>
      createInboxWatcher({ ...options, clock, log, watchFactory: chokidarWatchFactory }, onFile),
    watchSettings: (onChange) => watchFiles(log, onChange),
    cluster: async (config) => (await import('./cluster-backend.js')).clusterBackend(config),
  };
}
