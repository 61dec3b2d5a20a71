import type { AppPorts } from '../app/ports.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { createStageLimiter } from '../engines/stage-limits.js';
import { IN_FLIGHT_STATES } from '../domain/job.js';
import type { Logger } from '../core/logger.js';
import type { Journal } from '../jobs/journal.js';
import { resumePoint } from '../run/resume-point.js';
import { blockedFolderReporter, type BlockedFolderReporter } from '../outbox/blocked-folder.js';
import type { Pipeline } from '../queue/pipeline.js';
import type { ClusterBackend } from '../cluster/backend.js';
import type { ClusterWork } from './cluster-wiring.js';
import { wireIntake, type Intake } from './intake-wiring.js';
import { startLiveReload } from './live-reload.js';
import { reportSettingsError } from './settings-errors.js';
import { stageLimitsOf } from './settings-map.js';
import type { FolderRules } from '../intake/types.js';
import type { Notifier } from '../notify/notifier.js';
import type { StageLimiter } from '../engines/stage-limits.js';
import type { Work } from './work.js';
import { attachSurface, prepareSurface } from './surface-wiring.js';
import { startEngines, startPipeline, type Engines } from './workers.js';

export interface DaemonOptions {
  configPath: string;
  /** Every side effect, from the composition root (`realPorts`), or the tests' variant of it. */
  ports: AppPorts;
  /** Overrides `api.creditsCheckSeconds`: how often credits are checked while cloud jobs are held. */
  creditsCheckMs?: number;
  /** Grace for running jobs to checkpoint on stop. */
  stopGraceMs?: number;
}

export interface Daemon {
  readonly config: Config;
  stop(): Promise<void>;
}

type Cleanup = (() => Promise<unknown>)[];

/**
 * `video-inbox start`: config, lock, journal, engines, rules, pipeline and watcher, wired so a file
 * event only enqueues and every job is journaled before it runs. Only wiring lives here.
 */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const config = await loadConfig(opts.configPath, opts.ports.env);
  const lock = await opts.ports.lock(config.stateDir);
  const cleanup: Cleanup = [() => lock.release()];
  try {
    return await wire(opts, config, cleanup);
  } catch (err) {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    throw err;
  }
}

async function wire(opts: DaemonOptions, initial: Config, cleanup: Cleanup): Promise<Daemon> {
  const { log } = opts.ports;
  const state = { config: initial, stopped: false };
  const getConfig = () => state.config;
  const plainJournal = await opts.ports.openJournal(state.config.stateDir);
  cleanup.push(() => plainJournal.close());
  const surface = await prepareSurface(opts.ports, plainJournal, getConfig);
  const { ports, journal } = surface;
  const notifier = ports.notifier(state.config);
  const blockedFolders = blockedFolderReporter(log, notifier);
  const stages = createStageLimiter(stageLimitsOf(state.config));
  const wired: { intake?: Intake } = {};
  const { work, pipeline, cluster } = await startWork(opts, getConfig, {
    ...{ journal, notifier, stages, cleanup, blockedFolders, surface },
    forget: (path) => wired.intake?.watcher.forget(path),
    folder: (name) => wired.intake?.rules.get(name),
  });
  const reportError = (file: string, err: unknown, kept: boolean) =>
    reportSettingsError(log, notifier, file, err, kept);
  const intake: Intake = await wireIntake({
    ...{
      ports,
      config: getConfig,
      journal,
      notifier,
      engines: work.engines,
      work,
      reportError,
      blockedFolders,
    },
    rulesLoaded: surface.rulesLoaded,
  });
  wired.intake = intake;
  cleanup.push(() => intake.watcher.close());
  if (pipeline) resumeJournal(journal, pipeline, log);
  await intake.watcher.start();
  const settings = await startLiveReload({
    ...{ configPath: opts.configPath, env: ports.env, log, config: getConfig, rules: intake.rules },
    ...{ work, stages, watcher: intake.watcher, reportError, watchSettings: ports.watchSettings },
    setConfig: (next) => (state.config = next),
    stopped: () => state.stopped,
  });
  cleanup.push(() => settings.close());
  // The page and API steer the local pipeline, or show the cluster and steer this node.
  const attached = await attachAnySurface({
    ...{ ports, prepared: surface, config: getConfig, rules: intake.rules, engines: work.engines },
    forget: (path: string) => intake.watcher.forget(path),
    stopped: () => state.stopped,
    ...{ pipeline, cluster },
  });
  cleanup.push(() => attached.close());
  log.info(
    { folders: state.config.folders.map((f) => f.name), stateDir: state.config.stateDir },
    'Watching inboxes',
  );
  return daemonHandle(state, { intake, settings, work, cleanup, log, stopGraceMs: opts.stopGraceMs });
}

type SurfaceChoice = Omit<Parameters<typeof attachSurface>[0], 'pipeline'> & {
  pipeline: Pipeline | undefined;
  cluster: { backend: ClusterBackend; work: ClusterWork } | undefined;
};

/** The page/API/metrics over the local pipeline, or over the cluster (its modules load only then). */
async function attachAnySurface(o: SurfaceChoice): Promise<{ close(): Promise<void> }> {
  const { pipeline, cluster, ...parts } = o;
  if (pipeline) return attachSurface({ ...parts, pipeline });
  const { attachClusterSurface } = await import('./cluster-surface.js');
  return attachClusterSurface({ ...parts, ...cluster! });
}

/** The running daemon: its current config, and the one orderly stop. */
function daemonHandle(
  state: { config: Config; stopped: boolean },
  o: {
    intake: Intake;
    settings: { close(): Promise<void> };
    work: Work;
    cleanup: Cleanup;
    log: Logger;
    stopGraceMs: number | undefined;
  },
): Daemon {
  return {
    get config() {
      return state.config;
    },
    async stop() {
      if (state.stopped) return;
      state.stopped = true;
      o.intake.taker.stop();
      await o.intake.watcher.close();
      await o.settings.close();
      await o.work.stop(o.stopGraceMs ?? 8000);
      await o.intake.taker.idle();
      for (const fn of o.cleanup.reverse()) await fn().catch(() => undefined);
      o.log.info('Stopped');
    },
  };
}

interface WorkParts {
  journal: Journal;
  notifier: Notifier;
  stages: StageLimiter;
  cleanup: Cleanup;
  blockedFolders: BlockedFolderReporter;
  surface: Awaited<ReturnType<typeof prepareSurface>>;
  forget(path: string): void;
  folder(name: string): FolderRules | undefined;
}

/**
 * The engines and where jobs run. One host: the journal and the local pipeline. Cluster mode
 * (`cluster:`): the shared queues on Redis, through the same job path.
 */
async function startWork(
  opts: DaemonOptions,
  config: () => Config,
  p: WorkParts,
): Promise<{
  work: Work & { engines: Engines };
  pipeline?: Pipeline;
  cluster?: { backend: ClusterBackend; work: ClusterWork };
}> {
  const { ports } = opts;
  const clusterConfig = config().cluster;
  const backend = clusterConfig ? await ports.cluster(clusterConfig) : undefined;
  if (backend) p.cleanup.push(() => backend.close());
  // Cluster mode's modules (BullMQ) load only when it is configured.
  const cluster = backend ? await import('./cluster-wiring.js') : undefined;
  const stages = backend && cluster ? cluster.clusterStages(backend, config, p.stages) : p.stages;
  const rate = backend && cluster ? cluster.clusterCallRate(backend, config) : undefined;
  const engines = startEngines(ports, config(), stages, p.cleanup, rate && ((signal) => rate.take(signal)));
  if (backend && cluster) {
    const { startClusterWork } = cluster;
    const { notifier, forget, folder } = p;
    const gate = p.surface.steering.gate;
    const work = await startClusterWork({
      ...{ ports, backend, engines, notifier, config, folder, forget, opts, gate },
    });
    // Stopped here too when the wiring fails after the node started (idempotent).
    p.cleanup.push(() => work.stop(0));
    return { work: { ...work, engines }, cluster: { backend, work } };
  }
  const { journal, notifier, forget, blockedFolders, surface } = p;
  const { pipeline, work } = startPipeline({
    ...{ ports: surface.ports, journal, notifier, engines, forget, opts, config, blockedFolders },
    canStart: surface.steering.canStart,
    metrics: surface.metrics,
  });
  return { work: { ...work, engines }, pipeline };
}

/** Jobs the journal left in flight resume; held cloud jobs get one more try (credits may be back). */
function resumeJournal(journal: Journal, pipeline: Pipeline, log: Logger): void {
  for (const job of journal.list({ state: IN_FLIGHT_STATES })) {
    if (!job.plan) continue;
    const from = resumePoint(job);
    if (from) log.info({ job: job.id, file: job.sourceName, state: job.state, from }, 'Job resumed');
    pipeline.submit(job);
  }
  for (const job of journal.list({ state: 'held' })) {
    if (job.heldReason === 'credits' && job.plan) {
      void journal.update(job.id, { state: 'queued', heldReason: undefined }).then((j) => pipeline.submit(j));
    }
  }
}
