import type { AppPorts } from '../app/ports.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { createStageLimiter } from '../engines/stage-limits.js';
import { IN_FLIGHT_STATES } from '../domain/job.js';
import type { Journal } from '../jobs/journal.js';
import type { Pipeline } from '../queue/pipeline.js';
import { startLiveReload } from './live-reload.js';
import { createRuleBook } from './rule-book.js';
import { reportSettingsError } from './settings-errors.js';
import { stageLimitsOf, watchFolder } from './settings-map.js';
import { takeFiles } from './take-files.js';
import { startEngines, startPipeline } from './workers.js';

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
  const { ports } = opts;
  const { log } = ports;
  let config = initial;
  let stopped = false;
  const journal = await ports.openJournal(config.stateDir);
  cleanup.push(() => journal.close());
  const notifier = ports.notifier(config);
  const stages = createStageLimiter(stageLimitsOf(config));
  const engines = startEngines(ports, config, stages, cleanup);
  const forget = (path: string) => watcher?.forget(path);
  const { pipeline, credits } = startPipeline({
    ports,
    journal,
    notifier,
    engines,
    forget,
    opts,
    config: () => config,
  });
  const report = (file: string, err: unknown) => reportSettingsError(log, notifier, file, err);
  const marks = ports.retryMarks(config.stateDir);
  const intake = () => ({
    journal,
    fs: ports.fs,
    folder: rules.get,
    language: config.api.language,
    ffprobe: engines.tools?.ffprobe,
    retryMarks: marks,
    notifier,
    clock: ports.clock,
    log,
    newId: ports.newId,
  });
  const taker = takeFiles({ intake, pipeline, log, forget });
  const rules = createRuleBook({
    log,
    reportError: report,
    firstLoaded: (name) => releaseHeldForRules(journal, name, taker.take),
  });
  await rules.load(config.folders);
  const watcher = ports.watchInboxes(
    {
      folders: config.folders.map(watchFolder),
      settleMs: config.settleSeconds * 1000,
      rescanMs: config.rescanSeconds * 1000,
      forcePoll: config.poll,
    },
    (file) => taker.take(file),
  );
  cleanup.push(() => watcher.close());
  resumeJournal(journal, pipeline);
  await watcher.start();
  const settings = await startLiveReload({
    configPath: opts.configPath,
    env: ports.env,
    log,
    config: () => config,
    setConfig: (next) => (config = next),
    rules,
    pipeline,
    stages,
    watcher,
    reportError: report,
    watchSettings: ports.watchSettings,
    stopped: () => stopped,
  });
  cleanup.push(() => settings.close());
  log.info({ folders: config.folders.map((f) => f.name), stateDir: config.stateDir }, 'Watching inboxes');
  return {
    get config() {
      return config;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      credits.stop();
      taker.stop();
      await watcher.close();
      await settings.close();
      await pipeline.stop(opts.stopGraceMs ?? 8000);
      await taker.idle();
      for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
      log.info('Stopped');
    },
  };
}

/** Jobs the journal left in flight resume; held cloud jobs get one more try (credits may be back). */
function resumeJournal(journal: Journal, pipeline: Pipeline): void {
  for (const job of journal.list({ state: IN_FLIGHT_STATES })) {
    if (job.plan) pipeline.submit(job);
  }
  for (const job of journal.list({ state: 'held' })) {
    if (job.heldReason === 'credits' && job.plan) {
      void journal.update(job.id, { state: 'queued', heldReason: undefined }).then((j) => pipeline.submit(j));
    }
  }
}

/** A folder's rules loaded at last: its files held for them are taken now. */
function releaseHeldForRules(
  journal: Journal,
  folder: string,
  take: (f: { folder: string; path: string; size: number; mtimeMs: number; ino: number }) => void,
): void {
  for (const job of journal.list({ state: 'held', folder })) {
    if (job.heldReason === 'rules')
      take({ folder, path: job.source, size: job.size, mtimeMs: job.mtimeMs, ino: 0 });
  }
}
