import type { JobRecord } from '../domain/job.js';
import type { Journal } from '../jobs/journal.js';
import type { EventBus } from './event-bus.js';
import type { DaemonEvent } from './events.js';
import { jobView } from './job-view.js';

/**
 * A journal that announces every acknowledged change on the bus: the journal already sees each
 * creation, stage change and progress write, so the job code needs no second call to be observed.
 */
export function observeJournal(journal: Journal, bus: EventBus): Journal {
  // What was last announced per job: updates may overlap (progress is not awaited), so the record
  // read before an update is not a reliable "before".
  const announced = new Map<string, JobRecord>();
  const announce = (before: JobRecord | undefined, after: JobRecord) => {
    const event = changeEvent(before, after);
    if (after.state === 'done' || after.state === 'failed') announced.delete(after.id);
    else announced.set(after.id, after);
    if (event) bus.publish(event);
  };
  return {
    ...bindAll(journal),
    async create(job) {
      const created = await journal.create(job);
      bus.publish({ type: 'job.created', job: jobView(created) });
      announced.set(created.id, created);
      // Intake records some jobs already final or held (not a video, no rules yet): say so too.
      if (created.state === 'done' || created.state === 'failed' || created.state === 'held')
        announce(undefined, created);
      return created;
    },
    async update(id, patch) {
      const fallback = journal.get(id);
      const after = await journal.update(id, patch);
      announce(announced.get(id) ?? fallback, after);
      return after;
    },
  };
}

export function changeEvent(before: JobRecord | undefined, after: JobRecord): DaemonEvent | undefined {
  const job = jobView(after);
  if (!before || before.state !== after.state) {
    if (after.state === 'done') return { type: 'job.done', job };
    if (after.state === 'failed') return { type: 'job.failed', job };
    if (after.state === 'held') return { type: 'job.held', job };
    return { type: 'job.stage', job, from: before?.state ?? after.state };
  }
  if (before.percent !== after.percent || before.message !== after.message)
    return { type: 'job.progress', job };
  return undefined;
}

function bindAll(journal: Journal): Journal {
  return {
    create: (j) => journal.create(j),
    update: (id, p) => journal.update(id, p),
    get: (id) => journal.get(id),
    list: (f) => journal.list(f),
    findDone: (h, v) => journal.findDone(h, v),
    findActiveBySource: (p) => journal.findActiveBySource(p),
    findDoneBySource: (p) => journal.findDoneBySource(p),
    close: () => journal.close(),
  };
}
