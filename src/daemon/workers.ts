import type { AppPorts, NemoHandle } from '../app/ports.js';
import { freshProbes } from '../run/fresh-probes.js';
import { namingConfig } from '../run/job-records.js';
import { toVideoInboxError } from '../core/errors.js';
import type { Config } from '../config/config.js';
import type { Engine } from '../engines/engine.js';
import type { ToolPaths } from '../engines/local/tools.js';
import type { StageLimiter } from '../engines/stage-limits.js';
import type { JobRecord } from '../domain/job.js';
import type { Journal } from '../jobs/journal.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Notifier } from '../notify/notifier.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import { intake } from '../intake/intake.js';
import { Pipeline } from '../queue/pipeline.js';
import { runJob, type RunJobDeps, type RunResult } from '../run/run-job.js';
import { daemonPolicyWith, type JobPolicy } from '../run/outcome.js';
import { creditsHold } from './credits-hold.js';
import type { Work } from './work.js';

export interface Engines {
  nemo: NemoHandle;
  local: Engine | undefined;
  tools: ToolPaths | undefined;
}

/** The cloud engine (its connection pool destroyed on stop) and, when ffmpeg is there, the local one. */
export function startEngines(
  ports: AppPorts,
  config: Config,
  stages: StageLimiter,
  cleanup: (() => Promise<unknown>)[],
  beforeCall?: (signal?: AbortSignal) => Promise<void>,
): Engines {
  let tools: ToolPaths | undefined;
  try {
    tools = ports.tools(config);
  } catch (err) {
    ports.log.warn(
      { hint: toVideoInboxError(err).hint },
      'ffmpeg not found: local rules will fail and files are not checked before upload',
    );
  }
  const nemo = ports.nemo(config, stages, beforeCall);
  cleanup.push(() => nemo.destroy());
  return { nemo, local: tools ? ports.localEngine(tools) : undefined, tools };
}

export interface PipelineWiring {
  ports: AppPorts;
  journal: Journal;
  notifier: Notifier;
  engines: Engines;
  /** The daemon moved a source out of the inbox (see `forgetMoved`). */
  forget(path: string): void;
  opts: { creditsCheckMs?: number };
  config(): Config;
  blockedFolders: BlockedFolderReporter;
  /** Pause and schedule: a job that may not start now waits for `pipeline.release()`. */
  canStart?(job: JobRecord): boolean;
  /** Where the pipeline reports jobs, retries, errors, queue depth and the credits it checks. */
  metrics?: Metrics;
}

/**
 * The queue that runs every journaled job through the one job path (`runJob`), with the journal as
 * its record store, and the credits hold that pauses cloud jobs while the account is empty.
 */
export function startPipeline(w: PipelineWiring): { pipeline: Pipeline; work: Work } {
  const { ports, journal, notifier, engines } = w;
  const { log, clock } = ports;
  // Intake's probe of each taken source, handed to the local engine so it does not probe again.
  const probes = freshProbes();
  const runDeps = { ...jobRunDeps(w), probes };
  const pipeline: Pipeline = new Pipeline(
    { concurrency: w.config().concurrency, local: w.config().limits.local },
    {
      run: (job, plan, signal) => runJob(job, plan, runDeps, signal),
      load: (id) => journal.get(id),
      planOf: (job) => {
        if (!job.plan) throw new Error(`job ${job.id} has no plan`);
        return job.plan;
      },
      clock,
      log,
      ...(w.canStart ? { canStart: w.canStart } : {}),
      ...(w.metrics ? { metrics: w.metrics } : {}),
      onResult: (job, result) => {
        if (result.kind === 'held' && result.reason === 'credits') credits.hold(result.error.hint);
        if (result.kind === 'failed' && result.error.code === 'EXPORT_BLOCKED')
          log.warn({ job: job.id }, 'Export blocked by plan');
        if (sourceMoved(job, result)) w.forget(job.source);
      },
    },
  );
  const credits = creditsHold({
    pipeline,
    journal,
    notifier,
    log,
    credits: async () => {
      const balance = await engines.nemo.engine.client.credits();
      w.metrics?.credits(balance.available);
      return balance;
    },
    checkEveryMs: () => w.opts.creditsCheckMs ?? w.config().api.creditsCheckSeconds * 1000,
  });
  const work: Work = {
    async take(file, intakeDeps) {
      const result = await intake(file, intakeDeps);
      if (result.kind === 'queued') {
        if (result.media && result.job.engine === 'local') probes.remember(result.job, result.media);
        pipeline.submit(result.job);
      }
      return result;
    },
    setLimits: (limits) => pipeline.setLimits(limits),
    async stop(graceMs) {
      credits.stop();
      await pipeline.stop(graceMs);
    },
  };
  return { pipeline, work };
}

/** What the one job path needs on a single host: the journal as its records, the daemon's policy. */
function jobRunDeps(w: PipelineWiring): RunJobDeps {
  const { ports, journal, notifier, engines } = w;
  return {
    records: namingConfig(journal, ports.printedConfig),
    engines: { nemo: engines.nemo.engine, local: engines.local },
    fs: ports.fs,
    hashFile: ports.hashFile,
    notifier,
    log: ports.log,
    clock: ports.clock,
    ffprobe: engines.tools?.ffprobe,
    blockedFolders: w.blockedFolders,
    printedConfig: ports.printedConfig,
    // Read at each outcome, so a config reload takes effect.
    policy: {
      outcome: (err, attempts) => daemonPolicyWith(w.config().retrySeconds).outcome(err, attempts),
      setAsideFailed: true,
    } satisfies JobPolicy,
  };
}

/**
 * A move keeps size, mtime and inode: if the same file comes back (`retry`, or a person moving it
 * back from _failed/) before a rescan noticed it had gone, the watcher must offer it again.
 */
function sourceMoved(job: JobRecord, result: RunResult): boolean {
  return (
    (result.kind === 'failed' && result.setAsideTo !== undefined) ||
    // Other content under the name: offered to intake again, as a new job.
    (result.kind === 'failed' && result.error.code === 'SOURCE_CHANGED') ||
    (result.kind === 'done' && job.plan?.after !== 'keep')
  );
}
