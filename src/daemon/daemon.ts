import { v4 as uuidv4 } from 'uuid';
import PQueue from 'p-queue';
import type { Clock } from '../core/clock.js';
import { formatConfigIssue, isVideoInboxError, toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Config, FolderConfig } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { createLocalEngine } from '../engines/local/local-engine.js';
import { resolveTools, type ToolPaths } from '../engines/local/tools.js';
import { createNemoEngine, type NemoEngine } from '../engines/nemo/index.js';
import { IN_FLIGHT_STATES, type JobRecord } from '../jobs/job.js';
import { openJournal } from '../jobs/journal.js';
import { acquireLock } from '../jobs/lock.js';
import { createDesktopNotifier } from '../notify/desktop-notifier.js';
import { notices } from '../notify/messages.js';
import { silentNotifier, type Notifier } from '../notify/notifier.js';
import { loadRuleFile } from '../rules/load-rule.js';
import { ruleVersion } from '../rules/rule-version.js';
import { createInboxWatcher, type InboxWatcher } from '../watch/index.js';
import type { CompleteFile } from '../watch/types.js';
import { intake, type FolderRules } from './intake.js';
import { nemoOptions } from './nemo-options.js';
import { createStageLimiter, type Stage } from '../engines/stage-limits.js';
import { watchFiles } from './live-files.js';
import { Pipeline } from './pipeline.js';
import { retryMarks } from './retry-marks.js';
import { runJob } from './run-job.js';
import { createEventBus } from '../events/event-bus.js';
import { observeJournal } from '../events/observed-journal.js';
import { attachSurface, createDaemonMetrics, createSteering } from '../http/daemon-surface.js';

export interface DaemonOptions {
  configPath: string;
  env: Record<string, string | undefined>;
  log: Logger;
  clock: Clock;
  /** Overrides `notify` from the config (tests). */
  notifier?: Notifier;
  /** Overrides `api.creditsCheckSeconds`: how often credits are checked while cloud jobs are held. */
  creditsCheckMs?: number;
  /** Grace for running jobs to checkpoint on stop. */
  stopGraceMs?: number;
}

export interface Daemon {
  readonly config: Config;
  stop(): Promise<void>;
}

/**
 * The composition root of `video-inbox start`: config, lock, journal, engines, rules, pipeline and
 * watcher, wired so a file event only enqueues and every job is journaled before it runs.
 */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { log, clock } = opts;
  let config = await loadConfig(opts.configPath, opts.env);
  const lock = await acquireLock(config.stateDir);
  const stages = createStageLimiter(stageLimitsOf(config));
  const cleanup: (() => Promise<unknown>)[] = [() => lock.release()];
  try {
    return await compose(config);
  } catch (err) {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    throw err;
  }

  async function compose(initial: Config): Promise<Daemon> {
    config = initial;
    // Control surface (src/http): every journal change is an event; pause/schedule gate the queue.
    const bus = createEventBus({ now: () => clock.now() });
    const journal = observeJournal(
      await openJournal(config.stateDir, { clock, log: log.child({ module: 'journal' }) }),
      bus,
    );
    cleanup.push(() => journal.close());
    const metrics = createDaemonMetrics(journal, bus);
    const steering = await createSteering({ stateDir: config.stateDir, bus, config: () => config, clock });
    const notifier =
      opts.notifier ??
      (config.notify === 'none' ? silentNotifier : createDesktopNotifier(log.child({ module: 'notify' })));
    const tools = findTools(config, log);
    const nemo = makeNemo(config);
    const local = tools ? createLocalEngine({ tools, log: log.child({ module: 'local' }) }) : undefined;
    const marks = retryMarks(config.stateDir);
    const folders = new Map<string, FolderRules>();
    let creditsTimer: NodeJS.Timeout | undefined;
    let stopped = false;

    const pipeline = new Pipeline(
      { concurrency: config.concurrency, local: config.limits.local },
      {
        run: (job, plan, signal) =>
          runJob(
            job,
            plan,
            { journal, engines: { nemo, local }, notifier, log, clock, ffprobe: tools?.ffprobe },
            signal,
          ),
        load: (id) => journal.get(id),
        planOf: (job) => {
          if (!job.plan) throw new Error(`job ${job.id} has no plan`);
          return job.plan;
        },
        clock,
        log,
        canStart: steering.canStart,
        onResult: (job, result) => {
          if (result.kind === 'held' && result.reason === 'credits') holdForCredits(result.error.hint);
          if (result.kind === 'failed' && result.error.code === 'EXPORT_BLOCKED')
            log.warn({ job: job.id }, 'Export blocked by plan');
          const moved =
            (result.kind === 'failed' && result.setAsideTo !== undefined) ||
            (result.kind === 'done' && job.plan?.after !== 'keep');
          if (moved) sourceLeft(job.source);
        },
      },
    );

    steering.bind(pipeline, journal);
    const intakeQueue = new PQueue({ concurrency: 2 });
    const taking = new Set<string>();
    // Set once the rules are loaded; intake may run before that (files held for rules).
    const watching: { watcher?: InboxWatcher } = {};
    const take = (file: CompleteFile) => {
      if (stopped) return;
      metrics.watcherEvent('file');
      metrics.settleTime(Math.max(0, clock.now() - file.mtimeMs) / 1000);
      void intakeQueue.add(async () => {
        try {
          const result = await intake(file, {
            journal,
            folder: (name) => folders.get(name),
            language: config.api.language,
            ffprobe: tools?.ffprobe,
            retryMarks: marks,
            notifier,
            clock,
            log,
            newId: uuidv4,
            taking,
          });
          if (result.kind === 'queued') pipeline.submit(result.job);
          // The watcher offers a file once per version; these must be offered again by a rescan.
          if (result.kind === 'waiting') watching.watcher?.forget(file.path);
          if (result.kind === 'failed' && result.setAsideTo) sourceLeft(file.path);
          if (result.kind === 'duplicate' && result.archivedTo) sourceLeft(file.path);
        } catch (err) {
          if (stopped) return;
          // The file stays in the inbox; the next rescan offers it again.
          watching.watcher?.forget(file.path);
          log.error(
            { file: file.path, err: toVideoInboxError(err).message },
            'Could not take the file; it will be tried again',
          );
        }
      });
    };

    /**
     * The daemon moved a source out of the inbox. A move keeps size, mtime and inode, so if the same
     * file comes back (`retry`, or a person moving it back from _failed/) before a rescan noticed it
     * had gone, the watcher would take it for the version it already offered and never offer it.
     */
    function sourceLeft(path: string): void {
      watching.watcher?.forget(path);
    }

    await loadAllRules(config.folders);
    const inboxWatcher = createInboxWatcher(
      {
        folders: config.folders.map(watchFolder),
        settleMs: config.settleSeconds * 1000,
        rescanMs: config.rescanSeconds * 1000,
        forcePoll: config.poll,
        clock,
        log,
      },
      take,
    );
    watching.watcher = inboxWatcher;
    cleanup.push(() => inboxWatcher.close());

    resumeJournal();
    await inboxWatcher.start();
    const settings = watchFiles(log, (changed) => void reload(changed));
    cleanup.push(() => settings.close());
    await settings.set(settingsFiles());
    const surface = await attachSurface({
      config: () => config,
      folderConfig: (name) => config.folders.find((f) => f.name === name),
      journal,
      bus,
      folders: () => folders.values(),
      pipeline,
      steering,
      credits: () => nemo.client.credits(),
      usesCloud: () => [...folders.values()].some((f) => f.rule?.engine !== 'local'),
      watcherRunning: () => !stopped,
      sourceLeft,
      metrics,
      clock,
      log,
    });
    cleanup.push(() => surface.close());
    log.info({ folders: config.folders.map((f) => f.name), stateDir: config.stateDir }, 'Watching inboxes');

    return {
      get config() {
        return config;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        if (creditsTimer) clearInterval(creditsTimer);
        intakeQueue.clear();
        await inboxWatcher.close();
        await settings.close();
        await pipeline.stop(opts.stopGraceMs ?? 8000);
        await intakeQueue.onIdle();
        for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
        log.info('Stopped');
      },
    };

    function resumeJournal(): void {
      for (const job of journal.list({ state: IN_FLIGHT_STATES })) {
        if (job.plan) pipeline.submit(job);
      }
      // Credits may have come back while we were down: held cloud jobs get one more try.
      for (const job of journal.list({ state: 'held' })) {
        if (job.heldReason === 'credits' && job.plan) {
          void journal
            .update(job.id, { state: 'queued', heldReason: undefined })
            .then((j) => pipeline.submit(j));
        }
      }
    }

    async function loadAllRules(list: FolderConfig[]): Promise<void> {
      for (const folder of list) {
        const previous = folders.get(folder.name);
        try {
          const rule = await loadRuleFile(folder.rules);
          const version = ruleVersion(rule);
          folders.set(folder.name, { folder, rule, version });
          if (version !== previous?.version)
            log.info({ folder: folder.name, rules: folder.rules, version }, 'Rule file loaded');
          bus.publish({ type: 'rules.reloaded', folder: folder.name, version });
          if (!previous?.rule) releaseHeldForRules(folder.name);
        } catch (err) {
          reportSettingsError(folder.rules, err);
          bus.publish({ type: 'rules.reloaded', folder: folder.name, error: toVideoInboxError(err).message });
          // The last good rule stays in force; a folder that never loaded holds its files.
          folders.set(folder.name, { folder, rule: previous?.rule, version: previous?.version });
        }
      }
      for (const name of [...folders.keys()]) if (!list.some((f) => f.name === name)) folders.delete(name);
    }

    function releaseHeldForRules(folderName: string): void {
      for (const job of journal.list({ state: 'held', folder: folderName })) {
        if (job.heldReason === 'rules')
          take({ folder: folderName, path: job.source, size: job.size, mtimeMs: job.mtimeMs, ino: 0 });
      }
    }

    function settingsFiles(): string[] {
      return [config.file, ...new Set(config.folders.map((f) => f.rules))];
    }

    async function reload(changed: string[]): Promise<void> {
      if (stopped) return;
      log.info({ changed }, 'Settings changed; reloading');
      if (changed.includes(config.file)) {
        try {
          const next = await loadConfig(opts.configPath, opts.env);
          config = next;
          pipeline.setLimits({ concurrency: next.concurrency, local: next.limits.local });
          stages.setLimits(stageLimitsOf(next));
          await loadAllRules(next.folders);
          await inboxWatcher.setFolders(next.folders.map(watchFolder));
        } catch (err) {
          reportSettingsError(config.file, err);
        }
      } else {
        await loadAllRules(config.folders.filter((f) => changed.includes(f.rules)));
      }
      await settings.set(settingsFiles());
    }

    function reportSettingsError(file: string, err: unknown): void {
      const e = toVideoInboxError(err);
      const detail =
        isVideoInboxError(err) && 'issues' in err
          ? (err as { issues: Parameters<typeof formatConfigIssue>[0][] }).issues
              .map(formatConfigIssue)
              .join('; ')
          : e.message;
      log.error(
        { file, code: e.code, issues: detail },
        'Settings file has errors; the last good version stays in force',
      );
      notifier.notify(notices.config(file, detail));
    }

    function holdForCredits(hint: string | undefined): void {
      if (pipeline.remotePaused) return;
      pipeline.pauseRemote();
      const link = hint?.match(/https?:\/\/\S+/)?.[0]?.replace(/[.,)]+$/, '');
      log.warn('Out of credits: cloud jobs are paused until credits return');
      notifier.notify(notices.credits(link));
      creditsTimer = setInterval(
        () => void checkCredits(),
        opts.creditsCheckMs ?? config.api.creditsCheckSeconds * 1000,
      );
      creditsTimer.unref();
    }

    async function checkCredits(): Promise<void> {
      try {
        const { available } = await nemo.client.credits();
        if (available <= 0) return;
      } catch (err) {
        log.debug({ err: toVideoInboxError(err).message }, 'Credits check failed');
        return;
      }
      if (creditsTimer) clearInterval(creditsTimer);
      creditsTimer = undefined;
      log.info('Credits are back; resuming cloud jobs');
      pipeline.resumeRemote();
      for (const job of journal.list({ state: 'held' })) {
        if (job.heldReason !== 'credits') continue;
        const queued: JobRecord = await journal.update(job.id, { state: 'queued', heldReason: undefined });
        pipeline.submit(queued);
      }
    }
  }

  function makeNemo(c: Config): NemoEngine {
    const options = nemoOptions(c, opts.env, log, clock);
    cleanup.push(() => options.dispatcher.destroy());
    return createNemoEngine({ ...options, stages });
  }
}

/** Config `limits` as the cloud engine's per-stage bounds (downloads ride on the job limit). */
function stageLimitsOf(c: Config): Partial<Record<Stage, number>> {
  return { upload: c.limits.uploads, sse: c.limits.sse, poll: c.limits.polls };
}

function watchFolder(f: FolderConfig) {
  return { name: f.name, inbox: f.inbox, poll: f.poll };
}

function findTools(config: Config, log: Logger): ToolPaths | undefined {
  try {
    return resolveTools({ ffmpeg: config.ffmpegPath, ffprobe: config.ffprobePath });
  } catch (err) {
    const e = toVideoInboxError(err);
    log.warn(
      { hint: e.hint },
      'ffmpeg not found: local rules will fail and files are not checked before upload',
    );
    return undefined;
  }
}
