import type { Clock } from '../core/clock.js';
import { redact } from '../core/secrets.js';
import type { Progress } from '../domain/work.js';

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What the printer knows of a file, to turn percentages into a speed. */
export interface ProgressSubject {
  sizeBytes?: number;
  durationSec?: number;
}

/** The text of one progress line, without decoration: "old.avi: rendering 40% — Still working…". */
export function formatProgress(label: string, p: Progress, extra = ''): string {
  const pct = p.percent === undefined ? '' : ` ${Math.round(p.percent)}%`;
  return `${label}: ${p.stage}${pct}${extra}${p.message ? ` — ${p.message}` : ''}`;
}

/** "45s", "3m05s", "1h02m": short enough for a progress line. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Speed and time left from how fast the percentage moved since the stage began: MB/s while bytes
 * move (upload, download), × realtime while ffmpeg converts, and time left for every stage.
 * Empty until the percentage has moved.
 */
export function speedText(
  stage: Progress['stage'],
  from: { at: number; percent: number },
  now: { at: number; percent: number },
  subject: ProgressSubject = {},
): string {
  const dt = now.at - from.at;
  const dp = now.percent - from.percent;
  if (dt <= 0 || dp <= 0) return '';
  const perMs = dp / dt;
  const parts: string[] = [];
  if ((stage === 'uploading' || stage === 'downloading') && subject.sizeBytes) {
    const mbPerSec = ((perMs / 100) * subject.sizeBytes * 1000) / 1e6;
    parts.push(`${mbPerSec >= 10 ? Math.round(mbPerSec) : mbPerSec.toFixed(1)} MB/s`);
  } else if (stage === 'converting' && subject.durationSec) {
    parts.push(`${((perMs / 100) * subject.durationSec * 1000).toFixed(1)}× realtime`);
  }
  parts.push(`${formatDuration((100 - now.percent) / perMs)} left`);
  return ` · ${parts.join(' · ')}`;
}

interface LabelState {
  stage?: Progress['stage'];
  start?: { at: number; percent: number };
  lastPlainAt: number;
  lastPlainText: string;
}

/**
 * Progress on stderr for `convert`. On a terminal: one live line, rewritten, with percent, speed
 * and time left; anything else written to the same stream goes through `interleave`, which clears
 * the live line first and redraws it after, so a log line never glues onto it. On a pipe or in a
 * log: a plain line at each stage change, and otherwise at most one every `plainEveryMs` per file,
 * each with a real percentage; a "still working" line at least every `heartbeatMs`.
 */
export function createProgressPrinter(
  sink: ProgressSink,
  clock: Clock,
  heartbeatMs = 120_000,
  plainEveryMs = 10_000,
) {
  let lastPrinted = clock.now();
  let lastLine = '';
  const tty = sink.isTTY === true;
  const labels = new Map<string, LabelState>();
  const subjects = new Map<string, ProgressSubject>();
  const stateOf = (label: string): LabelState => {
    let s = labels.get(label);
    if (!s) labels.set(label, (s = { lastPlainAt: -Infinity, lastPlainText: '' }));
    return s;
  };
  return {
    /** Size and duration of the file behind `label`, for its speed. */
    describe(label: string, subject: ProgressSubject): void {
      subjects.set(label, subject);
    },
    update(label: string, p: Progress): void {
      const now = clock.now();
      const s = stateOf(label);
      const { line, stageChanged } = advance(s, label, p, now, subjects.get(label));
      lastLine = line;
      if (tty) {
        sink.write(`\r\x1b[2K${line}`);
        lastPrinted = now;
        return;
      }
      const plain = redact(formatProgress(label, p));
      if (plain === s.lastPlainText) return;
      if (!stageChanged && now - s.lastPlainAt < plainEveryMs) return;
      s.lastPlainAt = now;
      s.lastPlainText = plain;
      sink.write(`${line}\n`);
      lastPrinted = now;
    },
    /** Called on a timer: repeats the current line when nothing was printed for `heartbeatMs`. */
    tick(label: string): void {
      if (clock.now() - lastPrinted < heartbeatMs || !lastLine) return;
      lastPrinted = clock.now();
      const line = `${label}: still working…`;
      sink.write(tty ? `\r\x1b[2K${lastLine} (still working)` : `${line}\n`);
    },
    /** Writes other text (log lines) to the same stream without gluing it onto the live line. */
    interleave(text: string): void {
      if (!tty || !lastLine) {
        sink.write(text);
        return;
      }
      sink.write(`\r\x1b[2K${text}${text.endsWith('\n') ? '' : '\n'}${lastLine}`);
    },
    /** Ends a live line so the next output starts on its own line. */
    done(): void {
      if (tty && lastLine) sink.write('\n');
      lastLine = '';
      labels.clear();
    },
  };
}

/** Moves a label's state to this progress step: the live line (with speed) and whether the stage changed. */
function advance(
  s: LabelState,
  label: string,
  p: Progress,
  now: number,
  subject: ProgressSubject | undefined,
): { line: string; stageChanged: boolean } {
  const stageChanged = s.stage !== p.stage;
  if (stageChanged) {
    s.stage = p.stage;
    s.start = undefined;
  }
  if (p.percent !== undefined && s.start === undefined) s.start = { at: now, percent: p.percent };
  const extra =
    p.percent !== undefined && s.start
      ? speedText(p.stage, s.start, { at: now, percent: p.percent }, subject)
      : '';
  return { line: redact(formatProgress(label, p, extra)), stageChanged };
}
