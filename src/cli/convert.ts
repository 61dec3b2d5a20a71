import type { Command } from 'commander';
import { access, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { systemClock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { defaultConfigPath } from '../core/paths.js';
import { redact } from '../core/secrets.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { nemoOptions } from '../daemon/nemo-options.js';
import type { Engine } from '../engines/engine.js';
import { createLocalEngine } from '../engines/local/local-engine.js';
import { probeMedia } from '../engines/local/probe.js';
import { resolveTools } from '../engines/local/tools.js';
import { createNemoEngine } from '../engines/nemo/index.js';
import { DEFAULT_SKILL } from '../engines/nemo/options.js';
import { outputTempPath, placeOutput } from '../outbox/place.js';
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
        reportError(err);
      }
    });
}

async function optionalConfig(path: string | undefined): Promise<Config | undefined> {
  if (path) return loadConfig(path, process.env);
  const fallback = defaultConfigPath(process.env);
  try {
    await access(fallback);
  } catch {
    return undefined;
  }
  return loadConfig(fallback, process.env);
}

export async function convertFiles(files: string[], opts: ConvertOptions): Promise<number> {
  if (opts.engine && opts.engine !== 'nemo' && opts.engine !== 'local') {
    throw new VideoInboxError('CONFIG_INVALID', `Unknown engine "${opts.engine}"`, {
      hint: 'Use --engine nemo or --engine local.',
    });
  }
  const config = await optionalConfig(opts.config);
  // Logs go to stderr so stdout carries only output paths, for scripts.
  const log = createLogger({
    level: process.env.VIDEO_INBOX_LOG_LEVEL ?? 'warn',
    destination: process.stderr,
    pretty: process.stderr.isTTY,
  });
  const { engine, close } = makeEngine(opts.engine ?? 'nemo', config, log);
  const clock = systemClock;
  const printer = createProgressPrinter(process.stderr, clock);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let worst: number = EXIT.OK;
  try {
    for (const file of files) {
      if (controller.signal.aborted) return EXIT.INTERRUPTED;
      const input = resolve(file);
      const label = basename(input);
      const ticker = setInterval(() => printer.tick(label), 5000);
      try {
        const output = await convertOne(input, engine, opts, config, controller.signal, (p) =>
          printer.update(label, p),
        );
        printer.done();
        console.log(output);
      } catch (err) {
        printer.done();
        const e = toVideoInboxError(err);
        if (e.code === 'CANCELLED') return EXIT.INTERRUPTED;
        console.error(redact(`${label}: ${describeError(e)}`));
        worst = worst === EXIT.OK || worst === EXIT.FAILED ? exitCodeFor(e) : worst;
      } finally {
        clearInterval(ticker);
      }
    }
    return worst;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  }
}

function makeEngine(
  kind: 'nemo' | 'local',
  config: Config | undefined,
  log: Logger,
): { engine: Engine; close: () => Promise<void> } {
  if (kind === 'local') {
    const tools = resolveTools({ ffmpeg: config?.ffmpegPath, ffprobe: config?.ffprobePath });
    return { engine: createLocalEngine({ tools, log }), close: async () => undefined };
  }
  const options = nemoOptions(config, process.env, log, systemClock);
  return { engine: createNemoEngine(options), close: () => options.dispatcher.close() };
}

async function convertOne(
  input: string,
  engine: Engine,
  opts: ConvertOptions,
  config: Config | undefined,
  signal: AbortSignal,
  progress: Parameters<Engine['run']>[1]['progress'],
): Promise<string> {
  const info = await stat(input).catch((cause: unknown) => {
    throw new VideoInboxError('INTERNAL', `Cannot read ${input}`, {
      cause,
      hint: 'Check the file name and that you may read it.',
    });
  });
  if (!info.isFile()) throw new VideoInboxError('NOT_A_VIDEO', `${input} is not a file`);
  if (info.size === 0)
    throw new VideoInboxError('EMPTY_FILE', `${input} is empty`, { hint: 'Copy the video again.' });
  const outDir = resolve(opts.out ?? dirname(input));
  const temp = outputTempPath(outDir, uuidv4());
  let ffprobe: string | undefined;
  let sourceDuration: number | undefined;
  try {
    ffprobe = resolveTools({ ffmpeg: config?.ffmpegPath, ffprobe: config?.ffprobePath }).ffprobe;
    sourceDuration = (await probeMedia(input, ffprobe, signal)).durationSec;
  } catch {
    // Without ffprobe the cloud path still works; the output is then checked by its MP4 header only.
  }
  try {
    const result = await engine.run(
      {
        jobId: uuidv4(),
        input,
        instructions: [opts.instruction ?? DEFAULT_INSTRUCTION],
        skill: opts.skill ?? DEFAULT_SKILL,
        language: config?.api.language ?? 'en',
        quality: 'high',
        destination: temp,
        local: {},
      },
      { signal, progress, checkpoint: async () => undefined },
    );
    progress({ stage: 'placing' });
    return await placeOutput({
      temp,
      outboxDir: outDir,
      name: `${basename(input, extname(input))}.mp4`,
      expectedDurationSec: result.durationSec ?? (engine.name === 'local' ? sourceDuration : undefined),
      ffprobe,
    });
  } finally {
    await rm(temp, { force: true });
  }
}
