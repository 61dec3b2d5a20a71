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
    let stopReason: 'abort' | 'stall' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let stallTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const stop = (why: 'abort' | 'stall'): void => {
      if (stopReason || child.exitCode !== null || child.signalCode !== null) return;
      stopReason = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
    };
    const armStallTimer = (): void => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => stop('stall'), stallTimeoutMs);
    };
    const onAbort = (): void => stop('abort');
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      clearTimeout(stallTimer);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };

    signal.addEventListener('abort', onAbort, { once: true });
    armStallTimer();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      armStallTimer();
      progress.push(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));

    child.once('error', (err: NodeJS.ErrnoException) => {
      // 'error' without a process means it never started; with one, 'close' still follows.
      if (child.pid !== undefined) return;
      finish(
        new VideoInboxError('FFMPEG_MISSING', `ffmpeg could not be started (${err.code ?? err.message})`, {
          cause: err,
          hint: 'Install ffmpeg (Debian/Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`), or set ffmpegPath in the config.',
          context: { ffmpeg: options.ffmpeg },
        }),
      );
    });
    child.once('close', (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (stopReason === 'abort') return finish(cancelled(signal));
      if (stopReason === 'stall') {
        return finish(
          new FfmpegError(
            'FFMPEG_FAILED',
            `ffmpeg made no progress for ${Math.round(stallTimeoutMs / 1000)} s and was stopped`,
            {
              exitCode,
              stderrTail: tail.text(),
              retryable: true,
              hint: 'The input may sit on a disk or share that stopped answering; the file is tried again later.',
            },
          ),
        );
      }
      if (exitCode === 0) return finish();
      finish(explainFfmpegFailure({ exitCode, signal: exitSignal, stderrTail: tail.text() }));
    });
  });
}

function cancelled(signal: AbortSignal): VideoInboxError {
  return new VideoInboxError('CANCELLED', 'Stopped before finishing', { cause: signal.reason });
}
