import { rename, rm, stat } from 'node:fs/promises';
import { FfmpegError, VideoInboxError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Engine, EngineHooks, EngineRequest, EngineResult } from '../engine.js';
import type { MediaInfo } from '../../domain/media.js';
import type { Progress } from '../../domain/work.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { runFfmpeg, type SpawnFn } from './ffmpeg-runner.js';
import { detectFfmpegFeatures, type FfmpegFeatures } from './ffmpeg-version.js';
import { planConversion, type ConversionPlan } from './plan.js';
import { remuxIndexRoomOfFile } from './mp4-index.js';
import { probeMedia } from './probe.js';
import { stallTimeoutFor } from './stall-timeout.js';
import { tempPathBeside } from './temp-output.js';
import { fsyncFile } from '../../core/fsync.js';
import { resolveTools, type ToolPaths } from './tools.js';

export type ProbeFn = (path: string, ffprobe: string, signal?: AbortSignal) => Promise<MediaInfo>;

export interface LocalEngineDeps {
  /** Resolved ffmpeg/ffprobe; found on PATH at the first job when omitted. */
  tools?: ToolPaths;
  log: Logger;
  spawn?: SpawnFn;
  probe?: ProbeFn;
  /**
   * What the ffmpeg binary understands (or its answer to come); asked with `ffmpeg -filters` at the
   * first job when omitted.
   */
  features?: FfmpegFeatures | Promise<FfmpegFeatures>;
  killGraceMs?: number;
  /** Fixed stall limit; by default it grows with the input's size (see stallTimeoutFor). */
  stallTimeoutMs?: number;
  /** Bytes to keep for a stream copy's index (see readRemuxIndexRoom); read from the input by default. */
  indexRoom?: (input: string) => Promise<number | undefined>;
}

/** ffmpeg's complaint when the index outgrew the room kept for it (`-moov_size`). */
const NO_ROOM = /reserved_moov_size is too small/;

/**
 * The most of a copy's size its index room may take. What the index does not use stays in the file
 * as a `free` box: a small file (whose second pass costs little anyway) is copied with `+faststart`.
 */
const MAX_ROOM_SHARE = 0.01;

function worthKeeping(room: number | undefined, sourceBytes: number): number | undefined {
  return room !== undefined && room <= sourceBytes * MAX_ROOM_SHARE ? room : undefined;
}

/**
 * Converts with the local ffmpeg: a stream copy when the codecs already suit an MP4 (lossless, fast),
 * else an H.264/AAC transcode. Writes a temp file beside `destination` and renames it only once
 * ffmpeg succeeded and the file is on disk, so a stopped run leaves nothing finished-looking.
 */
export function createLocalEngine(deps: LocalEngineDeps): Engine {
  const probe = deps.probe ?? probeMedia;
  const indexRoom = deps.indexRoom ?? remuxIndexRoomOfFile;
  const log = deps.log.child({ module: 'local-engine' });
  let tools = deps.tools;
  let features: Promise<FfmpegFeatures> | undefined = deps.features && Promise.resolve(deps.features);

  return {
    name: 'local',
    scratchOf: tempPathBeside,
    prepare() {
      // Only with known tools: finding them on PATH is the first run's job, and may fail.
      if (tools) features ??= detectFfmpegFeatures(tools.ffmpeg);
    },
    async run(request: EngineRequest, hooks: EngineHooks): Promise<EngineResult> {
      tools ??= resolveTools();
      const { ffmpeg, ffprobe } = tools;
      const { signal } = hooks;
      throwIfCancelled(signal);

      hooks.progress({ stage: 'converting', message: 'Reading the source' });
      // Asked beside the probe (once per engine): two short processes side by side, not one after the other.
      features ??= detectFfmpegFeatures(ffmpeg);
      const info =
        request.sourceMedia ?? (await cancellable(signal, () => probe(request.input, ffprobe, signal)));
      const ffmpegFeatures = await features;
      const plan = planConversion(info, request.local, { toneMap: ffmpegFeatures.toneMap === true });
      log.info(
        {
          jobId: request.jobId,
          mode: plan.mode,
          reason: plan.reason,
          durationSec: info.durationSec,
          ...(plan.mode === 'transcode' && plan.hdr ? { hdr: plan.hdr } : {}),
        },
        'Local conversion planned',
      );

      hooks.progress({
        stage: 'converting',
        percent: 0,
        message: plan.mode === 'remux' ? 'Copying the streams into an MP4' : 'Converting to H.264',
      });
      // A plain stream copy writes its index into room kept at the front, not moved there after.
      const room =
        plan.mode === 'remux' && plan.audioToAacK === undefined
          ? worthKeeping(await indexRoom(request.input).catch(() => undefined), info.sizeBytes)
          : undefined;
      throwIfCancelled(signal);
      // A second run (the index outgrew its room) starts again at 0 %: the percents shown stay put.
      let shown = 0;
      await writeOutput(request.destination, { log, jobId: request.jobId, signal }, async (temp) => {
        const ffmpegRun = (reserve: number | undefined) =>
          runFfmpeg({
            ffmpeg,
            args: buildFfmpegArgs(plan, request.input, temp, ffmpegFeatures, reserve),
            signal,
            durationSec: info.durationSec,
            onProgress: (percent) => {
              if (percent < shown) return;
              shown = percent;
              report({ stage: 'converting', percent });
            },
            spawn: deps.spawn,
            killGraceMs: deps.killGraceMs,
            stallTimeoutMs: deps.stallTimeoutMs ?? stallTimeoutFor(info.sizeBytes),
          });
        try {
          await ffmpegRun(room);
        } catch (err) {
          if (room === undefined || !(err instanceof FfmpegError) || !NO_ROOM.test(err.stderrTail)) throw err;
          log.info(
            { jobId: request.jobId, room },
            'The index did not fit the room kept for it; writing it after',
          );
          await ffmpegRun(undefined);
        }
      });
      hooks.progress({ stage: 'converting', percent: 100 });
      const summary = summaryOf(plan);
      log.info({ jobId: request.jobId, summary }, 'Local conversion finished');
      return {
        path: request.destination,
        durationSec: info.durationSec,
        summary,
        streams: streamsOf(plan, info),
      };

      // Called from ffmpeg's output handler, where a throw would take the whole daemon down.
      function report(p: Progress): void {
        try {
          hooks.progress(p);
        } catch (err) {
          log.warn({ jobId: request.jobId, err }, 'Progress hook failed');
        }
      }
    },
  };
}

/**
 * Lets `write` fill a temp file beside `destination`, checks it is not empty, flushes it, and renames
 * it into place unless stopped meanwhile; on any failure the temp file goes and `destination` is
 * untouched.
 */
async function writeOutput(
  destination: string,
  { log, jobId, signal }: { log: Logger; jobId: string; signal: AbortSignal },
  write: (temp: string) => Promise<void>,
): Promise<void> {
  const temp = tempPathBeside(destination);
  try {
    // An ffmpeg orphaned by a killed daemon may still be writing here: unlinking first gives this
    // run a fresh file instead of one two writers share.
    await rm(temp, { force: true });
    await write(temp);
    await checkOutput(temp);
    await fsyncFile(temp);
    throwIfCancelled(signal);
    await rename(temp, destination);
  } catch (err) {
    await rm(temp, { force: true }).catch((rmErr: unknown) => {
      log.warn({ jobId, file: temp, err: rmErr }, 'Could not remove a partial output');
    });
    throw err;
  }
}

/** What a remux's output holds: the source's streams, copied, or its sound converted to AAC. */
function streamsOf(plan: ConversionPlan, source: MediaInfo): MediaInfo | undefined {
  if (plan.mode !== 'remux' || !source.video) return undefined;
  const audio =
    plan.audioToAacK === undefined || !source.audio
      ? source.audio
      : { codec: 'aac', channels: source.audio.channels };
  return { ...source, audio };
}

function summaryOf(plan: ConversionPlan): string {
  if (plan.mode === 'transcode') return 'transcoded';
  return plan.audioToAacK === undefined ? 'remuxed' : 'remuxed, audio converted to AAC';
}

/**
 * Only a cheap sanity check: the pipeline verifies the output before it is placed (a remux from its
 * index, against the `streams` this engine reports; anything else with ffprobe).
 */
async function checkOutput(path: string): Promise<void> {
  const { size } = await stat(path);
  if (size === 0) {
    throw new VideoInboxError('OUTPUT_INVALID', 'ffmpeg finished but wrote an empty file', {
      hint: 'Report this with the input file type; the source is untouched.',
      context: { path },
    });
  }
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) {
    throw new VideoInboxError('CANCELLED', 'Stopped before finishing', { cause: signal.reason });
  }
}

/** A step that fails because we aborted it reports CANCELLED, not the error the abort caused. */
async function cancellable<T>(signal: AbortSignal, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throwIfCancelled(signal);
    throw err;
  }
}
