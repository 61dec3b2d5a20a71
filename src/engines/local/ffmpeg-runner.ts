import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { FfmpegError, VideoInboxError } from '../../core/errors.js';
import { explainFfmpegFailure } from './ffmpeg-failure.js';
import { createProgressReader } from './progress.js';
import { createLineTail } from './stderr-tail.js';

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface RunFfmpegOptions {
  ffmpeg: string;
  args: readonly string[];
  signal: AbortSignal;
  /** Duration of the input, to turn ffmpeg's out_time into a percent. */
  durationSec?: number;
  onProgress?: (percent: number) => void;
  spawn?: SpawnFn;
  /** How long ffmpeg gets to stop after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** ffmpeg prints progress twice a second; this long without any means it hangs (a dead NFS mount). */
  stallTimeoutMs?: number;
  stderrLines?: number;
}

export const DEFAULT_KILL_GRACE_MS = 5_000;
export const DEFAULT_STALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs ffmpeg to completion. Resolves on exit 0; rejects with CANCELLED when `signal` aborts (after
 * ffmpeg has really exited, so the caller may delete its output), FFMPEG_MISSING when it cannot start,
 * and an explained FfmpegError otherwise.
 */
export function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  const { signal, spawn = nodeSpawn } = options;
  if (signal.aborted) return Promise.reject(cancelled(signal));
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;

  return new Promise((resolve, reject) => {
    const child = spawn(options.ffmpeg, options.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    const tail = createLineTail(options.stderrLines ?? 20);
    const progress = createProgressReader(options.durationSec, (p) => options.onProgress?.(p));
    const stopper = childStopper(child, killGraceMs);
    const stall = restartableTimer(stallTimeoutMs, () => stopper.stop('stall'));
    const onAbort = (): void => stopper.stop('abort');
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      stopper.clear();
      stall.clear();
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };

    signal.addEventListener('abort', onAbort, { once: true });
    stall.arm();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stall.arm();
      progress.push(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
    child.once('error', (err: NodeJS.ErrnoException) => {
      // 'error' without a process means it never started; with one, 'close' still follows.
      if (child.pid === undefined) finish(ffmpegMissing(err, options.ffmpeg));
    });
    child.once('close', (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      const stderrTail = tail.text();
      finish(
        exitError({ stoppedFor: stopper.reason, exitCode, exitSignal, stderrTail, stallTimeoutMs, signal }),
      );
    });
  });
}

/** Stops the child: SIGTERM, then SIGKILL after the grace period. Remembers why it was stopped. */
function childStopper(
  child: ChildProcess,
  killGraceMs: number,
): { readonly reason: StopReason | undefined; stop(why: StopReason): void; clear(): void } {
  let reason: StopReason | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  return {
    get reason() {
      return reason;
    },
    stop(why) {
      if (reason || child.exitCode !== null || child.signalCode !== null) return;
      reason = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
    },
    clear: () => clearTimeout(killTimer),
  };
}

type StopReason = 'abort' | 'stall';

function restartableTimer(ms: number, fire: () => void): { arm(): void; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(fire, ms);
    },
    clear: () => clearTimeout(timer),
  };
}

function ffmpegMissing(err: NodeJS.ErrnoException, ffmpeg: string): VideoInboxError {
  return new VideoInboxError('FFMPEG_MISSING', `ffmpeg could not be started (${err.code ?? err.message})`, {
    cause: err,
    hint: 'Install ffmpeg (Debian/Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`), or set ffmpegPath in the config.',
    context: { ffmpeg },
  });
}

/** Lines ffmpeg 5.1 prints when it could not finish the output file, and then exits 0 all the same. */
const TRAILER_FAILED = /^(Error writing trailer|Error closing file)/m;

/** What an exit means: nothing (success), cancelled, stalled, or ffmpeg's explained failure. */
function exitError(exit: {
  stoppedFor: StopReason | undefined;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stderrTail: string;
  stallTimeoutMs: number;
  signal: AbortSignal;
}): Error | undefined {
  if (exit.stoppedFor === 'abort') return cancelled(exit.signal);
  if (exit.stoppedFor === 'stall') {
    return new FfmpegError(
      'FFMPEG_FAILED',
      `ffmpeg made no progress for ${Math.round(exit.stallTimeoutMs / 1000)} s and was stopped`,
      {
        exitCode: exit.exitCode,
        stderrTail: exit.stderrTail,
        retryable: true,
        hint: 'The input may sit on a disk or share that stopped answering; the file is tried again later.',
      },
    );
  }
  // ffmpeg 5.1 exits 0 when it cannot write the file's end (its index, for an MP4) or close it (an
  // error a network share reports late): the file is unusable.
  if (exit.exitCode === 0 && !TRAILER_FAILED.test(exit.stderrTail)) return undefined;
  return explainFfmpegFailure({
    exitCode: exit.exitCode,
    signal: exit.exitSignal,
    stderrTail: exit.stderrTail,
  });
}

function cancelled(signal: AbortSignal): VideoInboxError {
  return new VideoInboxError('CANCELLED', 'Stopped before finishing', { cause: signal.reason });
}
