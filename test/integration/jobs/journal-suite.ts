import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
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
