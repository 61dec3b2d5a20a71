import type { EventBus } from '../events/event-bus.js';
import type { HistoryEntry } from './control.js';

const PER_JOB = 50;
const JOBS = 2000;

/**
 * Each job's recent stage changes, as seen on the bus since the daemon started (the journal keeps a
 * job's latest state only). Bounded: 50 entries per job, 2,000 jobs, oldest forgotten first.
 */
export function trackHistory(bus: EventBus): { of(id: string): HistoryEntry[]; stop(): void } {
  const history = new Map<string, HistoryEntry[]>();
  const stop = bus.subscribe((e) => {
    if (!('job' in e) || e.type === 'job.progress') return;
    const list = history.get(e.job.id) ?? [];
    history.delete(e.job.id);
    list.push({ at: e.at, state: e.job.state, ...(e.job.message ? { message: e.job.message } : {}) });
    if (list.length > PER_JOB) list.shift();
    history.set(e.job.id, list);
    if (history.size > JOBS) history.delete(history.keys().next().value!);
  });
  return { of: (id) => [...(history.get(id) ?? [])], stop };
}
