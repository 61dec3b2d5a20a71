import type { Command } from 'commander';
import { access } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { realJobPorts, type JobPorts } from '../app/job-ports.js';
import { systemClock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import { createLogger, silentLogger } from '../core/logger.js';
import { defaultConfigPath } from '../core/paths.js';
import { redact } from '../core/secrets.js';
import type { Config } from '../config/config.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { MediaInfo } from '../domain/media.js';
import type { Progress } from '../domain/work.js';
import type { Engine } from '../engines/engine.js';
import { probeMedia } from '../engines/local/probe.js';
import type { ToolPaths } from '../engines/local/tools.js';
import { DEFAULT_SKILL } from '../engines/nemo/options.js';
import { silentNotifier } from '../notify/notifier.js';
import { outputTempPath, removeTemp } from '../outbox/place.js';
import { freshProbes } from '../run/fresh-probes.js';
import { memoryJobRecords } from '../run/job-records.js';
import { oneOffPolicy } from '../run/outcome.js';
import { runJob } from '../run/run-job.js';
import { DEFAULT_INSTRUCTION } from '../rules/rule.js';
import { EXIT } from './exit-codes.js';
import { exitCodeFor, describeError, reportError } from './report-error.js';
import { createProgressPrinter } from './progress-printer.js';
import { loadEnvFile } from './settings.js';

interface ConvertOptions {
  out?: string;
  instruction?: string;
  skill?: string;
  config?: string;
  engine?: 'nemo' | 'local';
  envFile?: string;
}

export function register(program: Command): void {
  program
    .command('convert')
    .argument('<files...>', 'videos to convert')
    .description('Convert files once, end to end, and print each output path (no daemon needed).')
    .option('-o, --out <dir>', 'where the MP4s go (default: beside each input)')
    .option('-i, --instruction <text>', `what to ask NemoVideo (default: "${DEFAULT_INSTRUCTION}")`)
    .option('-s, --skill <name>', `X-Skill-Source (default: ${DEFAULT_SKILL})`)
    .option('-e, --engine <engine>', 'nemo (cloud, default) or local (ffmpeg, offline)')
    .option('-c, --config <file>', 'config file for API settings (optional)')
    .option('--env-file <file>', 'load KEY=VALUE lines (e.g. NEMO_TOKEN) first')
    .action(async (files: string[], opts: ConvertOptions) => {
      try {
        await loadEnvFile(opts.envFile);
        process.exitCode = await convertFiles(files, opts);
      } catch (err) {
        reportError(err, undefined, 'one-shot');
      }
    });
}

async function optionalConfig(path: string | undefined): Promise<Config | undefined> {
  const file = path ?? defaultConfigPath(process.env);
  if (!path) {
    try {
      await access(file);
    } catch {
      return undefined;
    }
  }
  // Loaded only when there is a config to read: the schema and the YAML parser take a tenth of a second.
  const { loadConfig } = await import('../config/load-config.js');
  return loadConfig(file, process.env);
}

export async function convertFiles(files: string[], opts: ConvertOptions): Promise<number> {
  if (opts.engine && opts.engine !== 'nemo' && opts.engine !== 'local') {
    throw new VideoInboxError('CONFIG_INVALID', `Unknown engine "${opts.engine}"`, {
      hint: 'Use --engine nemo or --engine local.',
    });
  }
  // Listening for Ctrl-C before any tool starts: the first check of ffmpeg begins below, and a
  // signal with no listener would kill node outright (no exit code, no cleanup).
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await convertWith(files, opts, controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function convertWith(files: string[], opts: ConvertOptions, signal: AbortSignal): Promise<number> {
  const config = await optionalConfig(opts.config);
  if (signal.aborted) return EXIT.INTERRUPTED;
  const printer = createProgressPrinter(process.stderr, systemClock);
  // Logs go to stderr so stdout carries only output paths, for scripts; through the printer, so a
  // log line never glues onto the live progress line.
  const log = createLogger({
    level: process.env.VIDEO_INBOX_LOG_LEVEL ?? 'warn',
    destination: { write: (line: string) => printer.interleave(line) },
    pretty: process.stderr.isTTY,
  });
  const ports = realJobPorts({ log });
  const kind = opts.engine ?? 'nemo';
  // A local run checks ffmpeg and ffprobe by their first use (asked at once, beside the first probe);
  // a cloud run, which may not need them, by `-version` when it first does.
  const byUse = kind === 'local' ? ports.toolsByUse(config) : undefined;
  const candidates = byUse?.paths ?? ports.toolCandidates(config);
  const tools = once(() => (byUse ? byUse.features.then(() => byUse.paths) : ports.findTools(config)));
  // One local engine, on the paths the checks vouch for: it runs nothing before a plan, which waits
  // for them. As a fixer of cloud renders it is only handed out once they passed.
  const unchecked = once(() => ports.localEngine(candidates, byUse?.features));
  const localEngine = once(async () => {
    await tools();
    return unchecked();
  });
  const { engine, close } = await makeEngine(ports, unchecked, kind, config);
  try {
    return await convertEach(files, {
      ports,
      engine,
      candidates,
      tools,
      ffprobeWorks: byUse?.ffprobeWorks,
      localEngine,
      opts,
      config,
      printer,
      signal,
    });
  } finally {
    await close();
  }
}

interface ConvertRun {
  ports: JobPorts;
  engine: Engine;
  /** Where ffmpeg and ffprobe should be (config or PATH), before `tools` has checked them. */
  candidates: ToolPaths;
  /** ffmpeg and ffprobe, found and checked once per run (throws FFMPEG_MISSING without them). */
  tools: () => Promise<ToolPaths>;
  /** When `tools` vouches for ffmpeg alone: called after a failed probe (see ToolsByUse). */
  ffprobeWorks?: () => Promise<void>;
  /** The local engine, made once: the engine itself, or the one that fixes a cloud render. */
  localEngine: () => Promise<Engine>;
  opts: ConvertOptions;
  config: Config | undefined;
  printer: ReturnType<typeof createProgressPrinter>;
  signal: AbortSignal;
}

/** Converts the files one by one, printing each output path; returns the worst exit code. */
async function convertEach(files: string[], run: ConvertRun): Promise<number> {
  const { printer } = run;
  let worst: number = EXIT.OK;
  for (const file of files) {
    if (run.signal.aborted) return EXIT.INTERRUPTED;
    const input = resolve(file);
    const label = basename(input);
    const ticker = setInterval(() => printer.tick(label), 5000);
    try {
      const output = await convertOne(input, run, (p) => printer.update(label, p));
      printer.done();
      console.log(output);
    } catch (err) {
      printer.done();
      const e = toVideoInboxError(err);
      // After Ctrl-C, whatever failed failed because of it (a tool killed by the same signal).
      if (e.code === 'CANCELLED' || run.signal.aborted) return EXIT.INTERRUPTED;
      // Without ffmpeg no file converts locally: said once, for the whole run.
      if (e.code === 'FFMPEG_MISSING' && run.engine.name === 'local') throw e;
      console.error(redact(`${label}: ${describeError(e, 'one-shot')}`));
      worst = worst === EXIT.OK || worst === EXIT.FAILED ? exitCodeFor(e) : worst;
    } finally {
      clearInterval(ticker);
    }
  }
  return worst;
}

async function makeEngine(
  ports: JobPorts,
  localEngine: () => Engine,
  kind: 'nemo' | 'local',
  config: Config | undefined,
): Promise<{ engine: Engine; close: () => Promise<void> }> {
  if (kind === 'local') return { engine: localEngine(), close: async () => undefined };
  // The cloud engine's libraries (HTTP client, API schemas) are loaded only for a cloud conversion.
  const { realPorts } = await import('../app/ports.js');
  const nemo = realPorts({ env: process.env, log: ports.log }).nemo(config);
  return { engine: nemo.engine, close: () => nemo.close() };
}

/**
 * One file through the one job path (`runJob`), as a job that keeps its source and whose record
 * lives in memory: `convert` has no journal, retries nothing and moves nothing to `_failed/`.
 */
async function convertOne(input: string, run: ConvertRun, progress: (p: Progress) => void): Promise<string> {
  const { ports, engine } = run;
  const job = await jobFor(input, run);
  engine.prepare?.();
  const { plan, media } = await planFor(input, run);
  // The one probe of the input serves the plan and the engine.
  const probes = freshProbes(1);
  if (media) probes.remember(job, media);
  run.printer.describe(basename(input), { sizeBytes: job.size, durationSec: plan.sourceDurationSec });
  const records = memoryJobRecords(job, () => ports.clock.now());
  try {
    const result = await runJob(
      job,
      plan,
      {
        records,
        // The local engine also brings a cloud render outside the MP4 contract into it.
        engines: { local: await localEngineIfAny(run), [engine.name]: engine },
        fs: ports.fs,
        hashFile: ports.hashFile,
        notifier: silentNotifier,
        // Each outcome is printed by `convertEach`; the job's own log lines would say it twice.
        log: silentLogger(),
        clock: ports.clock,
        ffprobe: plan.ffprobe,
        probes,
        onProgress: progress,
        policy: oneOffPolicy,
      },
      run.signal,
    );
    if (result.kind === 'done') return result.output;
    if (result.kind === 'checkpoint') throw new VideoInboxError('CANCELLED', 'Stopped before finishing');
    throw result.error;
  } finally {
    // Best effort: the output folder may not even exist, and the job's own error is what to report.
    await removeTemp(ports.fs, outputTempPath(plan.outbox, job.id)).catch(() => undefined);
  }
}

async function localEngineIfAny(run: ConvertRun): Promise<Engine | undefined> {
  try {
    return await run.localEngine();
  } catch {
    return undefined; // no ffmpeg: a cloud render outside the contract then fails, saying so
  }
}

async function jobFor(input: string, run: ConvertRun): Promise<JobRecord> {
  const info = await run.ports.fs.stat(input).catch((cause: unknown) => {
    throw new VideoInboxError('INTERNAL', `Cannot read ${input}`, {
      cause,
      hint: 'Check the file name and that you may read it.',
    });
  });
  if (!info.isFile()) throw new VideoInboxError('NOT_A_VIDEO', `${input} is not a file`);
  if (info.size === 0)
    throw new VideoInboxError('EMPTY_FILE', `${input} is empty`, { hint: 'Copy the video again.' });
  const now = run.ports.clock.now();
  return {
    id: run.ports.newId(),
    folder: '',
    source: input,
    sourceName: basename(input),
    size: info.size,
    mtimeMs: info.mtimeMs,
    contentHash: '',
    ruleVersion: '',
    engine: run.engine.name,
    state: 'queued',
    remote: {},
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  };
}

async function planFor(
  input: string,
  run: ConvertRun,
): Promise<{ plan: JobPlan & { ffprobe?: string }; media: MediaInfo | undefined }> {
  const { opts, config } = run;
  // The probe runs beside the tools' checks, on the path they check; it counts only once they pass.
  const probing = probeMedia(input, run.candidates.ffprobe, run.signal).catch(() => undefined);
  let ffprobe: string | undefined;
  try {
    ffprobe = (await run.tools()).ffprobe;
  } catch (err) {
    // Without ffprobe the cloud path still works; the output is then checked by its MP4 header only.
    if (run.engine.name === 'local') throw err;
  }
  const media = ffprobe === undefined ? undefined : await probing;
  // Unreadable: a broken ffprobe says so here; else the engine's own probe says why the file is.
  if (ffprobe !== undefined && media === undefined) await run.ffprobeWorks?.();
  const plan: JobPlan & { ffprobe?: string } = {
    inbox: dirname(input),
    outbox: resolve(opts.out ?? dirname(input)),
    outputName: `${basename(input, extname(input))}.mp4`,
    after: 'keep',
    engine: run.engine.name,
    instructions: [opts.instruction ?? DEFAULT_INSTRUCTION],
    skill: opts.skill ?? DEFAULT_SKILL,
    language: config?.api.language ?? 'en',
    quality: 'high',
    local: {},
    sourceDurationSec: media?.durationSec,
    sourceHadAudio: media ? media.audio !== undefined : undefined,
    ffprobe,
  };
  return { plan, media };
}

/** `make`'s result (or its error) from its first call on. */
function once<T>(make: () => T): () => T {
  let made: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  return () => {
    if (!made) {
      try {
        made = { ok: true, value: make() };
      } catch (error) {
        made = { ok: false, error };
      }
    }
    if (made.ok) return made.value;
    throw made.error;
  };
}
