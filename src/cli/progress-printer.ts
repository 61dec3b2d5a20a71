import type { Clock } from '../core/clock.js';
import { redact } from '../core/secrets.js';
import type { Progress } from '../domain/work.js';

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The text of one progress line, without decoration: "old.avi: rendering 40% — Still working…". */
export function formatProgress(label: string, p: Progress): string {
  const pct = p.percent === undefined ? '' : ` ${Math.round(p.percent)}%`;
  return `${label}: ${p.stage}${pct}${p.message ? ` — ${p.message}` : ''}`;
}

/**
 * Progress on stderr for `convert`: one rewritten line on a terminal; on a pipe or in a log, a plain line
 * whenever the stage or message changes, and a "still working" line at least every `heartbeatMs` so a
 * person watching a long render knows it is alive.
 */
export function createProgressPrinter(sink: ProgressSink, clock: Clock, heartbeatMs = 120_000) {
  let lastPlain = '';
  let lastPrinted = clock.now();
  let lastLine = '';
  const tty = sink.isTTY === true;
  return {
    update(label: string, p: Progress): void {
      const line = redact(formatProgress(label, p));
      lastLine = line;
      if (tty) {
        sink.write(`\r\x1b[2K${line}`);
        lastPrinted = clock.now();
        return;
      }
      const key = `${p.stage}|${p.message ?? ''}`;
      if (key !== lastPlain) {
        lastPlain = key;
        sink.write(`${line}\n`);
        lastPrinted = clock.now();
      }
    },
    /** Called on a timer: repeats the current line when nothing was printed for `heartbeatMs`. */
    tick(label: string): void {
      if (clock.now() - lastPrinted < heartbeatMs || !lastLine) return;
      lastPrinted = clock.now();
      const line = `${label}: still working…`;
      sink.write(tty ? `\r\x1b[2K${lastLine} (still working)` : `${line}\n`);
    },
    /** Ends a live line so the next output starts on its own line. */
    done(): void {
      if (tty && lastLine) sink.write('\n');
      lastLine = '';
      lastPlain = '';
    },
  };
}
