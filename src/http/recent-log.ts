import type { EventBus } from '../events/event-bus.js';
import type { Stamped } from '../events/events.js';
import type { LogLine } from './control.js';

/** The page's "recent log": the last events as short readable lines (no paths beyond file names). */
export function trackRecentLog(bus: EventBus, size = 200): { lines(): LogLine[]; stop(): void } {
  const ring: LogLine[] = [];
  const stop = bus.subscribe((e) => {
    const line = lineOf(e);
    if (!line) return;
    ring.push(line);
    if (ring.length > size) ring.shift();
  });
  return { lines: () => [...ring].reverse(), stop };
}

export function lineOf(e: Stamped): LogLine | undefined {
  const at = e.at;
  switch (e.type) {
    case 'job.created':
      return { at, level: 'info', message: `${e.job.file} taken from ${e.job.folder}` };
    case 'job.stage':
      return e.job.state === 'queued' && e.job.error
        ? { at, level: 'warn', message: `${e.job.file}: will retry after ${e.job.error.message}` }
        : { at, level: 'info', message: `${e.job.file}: ${e.job.state}` };
    case 'job.done':
      return { at, level: 'info', message: `${e.job.file} done` };
    case 'job.failed':
      return {
        at,
        level: 'error',
        message: `${e.job.file} failed: ${e.job.error?.message ?? 'unknown reason'}`,
      };
    case 'job.held':
      return {
        at,
        level: 'warn',
        message: `${e.job.file} held: ${e.job.error?.message ?? e.job.heldReason ?? ''}`,
      };
    case 'rules.reloaded':
      return e.error
        ? { at, level: 'error', message: `Rules of ${e.folder} have errors: ${e.error}` }
        : { at, level: 'info', message: `Rules of ${e.folder} loaded` };
    case 'paused':
      return { at, level: 'warn', message: e.drain ? 'Paused after running jobs finish' : 'Paused' };
    case 'resumed':
      return { at, level: 'info', message: 'Resumed' };
    default:
      return undefined;
  }
}
