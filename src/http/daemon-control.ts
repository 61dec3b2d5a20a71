import { access, constants } from 'node:fs/promises';
import { cliCommand, shellWord } from '../core/cli-command.js';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { redact } from '../core/secrets.js';
import type { Config, FolderConfig } from '../config/config.js';
import type { RetryFileDeps } from '../intake/retry-file.js';
import type { EventBus } from '../events/event-bus.js';
import { jobView } from '../events/job-view.js';
import { isFinalState, type JobRecord } from '../domain/job.js';
import type { Journal } from '../jobs/journal.js';
import type { Metrics } from '../metrics/metrics.js';
import { setAside } from '../outbox/failed.js';
import type { StartGate } from '../queue/start-gate.js';
import type { PauseControl } from '../queue/pause-control.js';
import type { Control, CreditsView, FolderView, PauseView, Readiness } from './control.js';
import { trackHistory } from './job-history.js';
import { trackRecentLog } from './recent-log.js';
import { retryJobSource } from './retry-source.js';

export interface DaemonControlDeps {
  config(): Config;
  journal: Journal;
  bus: EventBus;
  folders(): Iterable<{ folder: FolderConfig; rule?: unknown; version?: string }>;
  pipeline: {
    stats(): { running: number; waiting: number };
    abort(id: string): boolean;
    isRunning(id: string): boolean;
  };
  pause: PauseControl;
  gate: StartGate;
  /** The NemoVideo balance (throws when the API cannot be reached). */
  credits(): Promise<{ available: number }>;
  /** Whether any folder's rule sends jobs to the cloud (readiness needs the API only then). */
  usesCloud(): boolean;
  watcherRunning(): boolean;
  /** The daemon moved a source out of an inbox (the watcher must offer it again if it returns). */
  sourceLeft(path: string): void;
  metrics: Metrics;
  /** The retry use case's ports (the same function `video-inbox retry` calls). */
  retry: RetryFileDeps;
  clock: Clock;
  log: Logger;
  /** The daemon's config when not the default, named in the commands it writes. */
  printedConfig?: string;
}

const READY_CACHE_MS = 60_000;

/** The Control port over the current daemon: journal, pipeline, pause flag, rules, credits. */
export function createDaemonControl(d: DaemonControlDeps): Control & { close(): void } {
  const history = trackHistory(d.bus);
  const log = trackRecentLog(d.bus);
  const ruleErrors = new Map<string, string>();
  const unsubscribe = d.bus.subscribe((e) => {
    if (e.type !== 'rules.reloaded') return;
    if (e.error) ruleErrors.set(e.folder, e.error);
    else ruleErrors.delete(e.folder);
  });
  let apiCheck: { at: number; ok: boolean } | undefined;

  const folderOf = (name: string) => d.config().folders.find((f) => f.name === name);

  async function finishCancel(job: JobRecord): Promise<void> {
    const error = { code: 'CANCELLED', message: 'Cancelled by a person' };
    const inbox = job.plan?.inbox ?? folderOf(job.folder)?.inbox;
    let setAsideTo: string | undefined;
    if (inbox && !job.output) {
      // The report beside it prints the retry command with the file's new path.
      const hint = 'Retry it from the page, or with the command below.';
      setAsideTo = await setAside(
        job.source,
        inbox,
        { ...error, hint },
        {
          fs: d.retry.fs,
          now: new Date(d.clock.now()),
          config: d.printedConfig,
        },
      ).catch(() => undefined);
      if (setAsideTo) d.sourceLeft(job.source);
    }
    // `retry` needs the file: the hint names it where it is now (set aside, or still in place).
    const command = cliCommand(`retry ${shellWord(setAsideTo ?? job.source)}`, d.printedConfig);
    const hint = `Retry it from the page or with \`${command}\`.`;
    await d.journal.update(job.id, { state: 'failed', error: { ...error, hint }, attempts: job.attempts });
  }

  return {
    close() {
      history.stop();
      log.stop();
      unsubscribe();
    },
    listFolders(): FolderView[] {
      return [...d.folders()].map(({ folder, rule, version }) => ({
        name: folder.name,
        inbox: folder.inbox,
        outbox: folder.outbox,
        rules: folder.rules,
        ...(rule ? { rule } : {}),
        ...(version ? { ruleVersion: version } : {}),
        ...(ruleErrors.has(folder.name) ? { ruleError: ruleErrors.get(folder.name) } : {}),
        ...(folder.schedule ? { schedule: folder.schedule } : {}),
      }));
    },
    listJobs(filter, page) {
      const q = filter.q?.toLowerCase();
      const all = d.journal
        .list({
          ...(filter.state ? { state: filter.state } : {}),
          ...(filter.folder ? { folder: filter.folder } : {}),
        })
        .filter((j) => !q || j.sourceName.toLowerCase().includes(q))
        .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
      return { jobs: all.slice(page.offset, page.offset + page.limit).map(jobView), total: all.length };
    },
    getJob(id) {
      const job = d.journal.get(id);
      if (!job) return undefined;
      const seen = history.of(id);
      return {
        ...jobView(job),
        history:
          seen.length > 0
            ? seen
            : [{ at: job.updatedAt, state: job.state, ...(job.message ? { message: job.message } : {}) }],
      };
    },
    async retry(id) {
      const job = d.journal.get(id);
      if (!job) return { ok: false, status: 404, code: 'NOT_FOUND', message: 'No such job' };
      if (!isFinalState(job.state))
        return {
          ok: false,
          status: 409,
          code: 'NOT_FINAL',
          message: `The job is ${job.state}; only done or failed jobs can be retried`,
        };
      return retryJobSource(d, job);
    },
    async cancel(id) {
      const job = d.journal.get(id);
      if (!job) return { ok: false, status: 404, code: 'NOT_FOUND', message: 'No such job' };
      if (isFinalState(job.state))
        return { ok: false, status: 409, code: 'NOT_ACTIVE', message: `The job is already ${job.state}` };
      if (d.pipeline.abort(id)) {
        // The runner returns at its checkpoint; then the job is failed as cancelled.
        for (let waited = 0; d.pipeline.isRunning(id) && waited < 30_000; waited += 100)
          await d.clock.sleep(100);
        if (d.pipeline.isRunning(id))
          return { ok: false, status: 409, code: 'BUSY', message: 'The job did not stop in time; try again' };
      }
      const now = d.journal.get(id);
      if (!now || isFinalState(now.state))
        return { ok: true, message: `The job ended as ${now?.state ?? 'gone'}` };
      await finishCancel(now);
      return { ok: true, message: 'Cancelled; the source is in _failed/' };
    },
    async pause({ drain }) {
      await d.pause.pause(drain, d.clock.now());
      return this.pauseState();
    },
    async resume() {
      await d.pause.resume();
      return this.pauseState();
    },
    pauseState(): PauseView {
      const s = d.pause.state();
      const now = new Date(d.clock.now());
      const resumesAt = d.gate.resumesAt(now);
      return {
        paused: s.paused,
        drain: s.drain,
        ...(s.since ? { since: s.since } : {}),
        scheduleClosed: !s.paused && !d.gate.canStartNewJob(now),
        ...(resumesAt ? { resumesAt: resumesAt.toISOString() } : {}),
        ...d.pipeline.stats(),
      };
    },
    async credits(): Promise<CreditsView> {
      try {
        const { available } = await d.credits();
        d.metrics.credits(available);
        return { available, checkedAt: new Date(d.clock.now()).toISOString() };
      } catch (err) {
        const e = toVideoInboxError(err);
        return { error: redact(e.message), code: e.code };
      }
    },
    async readiness(): Promise<Readiness> {
      const journal = await access(d.config().stateDir, constants.W_OK).then(
        () => true,
        () => false,
      );
      let api: Readiness['checks']['api'] = 'not-needed';
      if (d.usesCloud()) {
        const now = d.clock.now();
        if (!apiCheck || now - apiCheck.at > READY_CACHE_MS) {
          const ok = await d.credits().then(
            () => true,
            () => false,
          );
          apiCheck = { at: now, ok };
        }
        api = apiCheck.ok ? 'reachable' : 'unreachable';
      }
      const watcher = d.watcherRunning();
      return { ready: watcher && journal && api !== 'unreachable', checks: { watcher, journal, api } };
    },
    recentLog: () => log.lines(),
  };
}
