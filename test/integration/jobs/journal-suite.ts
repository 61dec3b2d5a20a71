import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { NewJob } from '../../../src/domain/job.js';
import {
  openJournal,
  type Journal,
  type ReaderOptions,
  type WriterOptions,
} from '../../../src/jobs/journal.js';
import { fakeClock } from '../../helpers/fake-clock.js';

/**
 * A fresh temp dir per test for the journal under test, and `open` for journals in it (a writer's
 * clock ticks once per reading, from 1000); every journal opened is closed and the dir removed after
 * the test.
 */
export function useJournalDir(prefix: string) {
  const opened: Journal[] = [];
  const suite = {
    dir: '',
    async open(opts: Omit<WriterOptions, 'clock'> | ReaderOptions = {}): Promise<Journal> {
      const clock = fakeClock({ start: 1_000, step: 1 });
      const j = await openJournal(suite.dir, opts.readOnly === true ? opts : { clock, ...opts });
      opened.push(j);
      return j;
    },
  };
  beforeEach(async () => {
    suite.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const j of opened.splice(0)) await j.close().catch(() => undefined);
    await rm(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

/** The `n`th new job of a test: its own source, size, mtime and content hash; `over` sets the rest. */
export function newJob(n: number, over: Partial<NewJob> = {}): NewJob {
  return {
    folder: 'avi-to-mp4',
    source: `/inbox/clip-${n}.avi`,
    sourceName: `clip-${n}.avi`,
    size: 1000 + n,
    mtimeMs: 1_700_000_000_000 + n,
    contentHash: `hash-${n}`,
    ruleVersion: 'rule-v1',
    engine: 'nemo',
    ...over,
  };
}
