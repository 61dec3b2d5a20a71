import { copyFile, mkdir, mkdtemp, readdir, rm, utimes, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { JobRecords } from '../../../src/run/job-records.js';
import { runJob } from '../../../src/run/run-job.js';
import type { Engine } from '../../../src/engines/engine.js';
import type { JobPlan } from '../../../src/domain/job.js';
import { openJournal, type Journal } from '../../../src/jobs/journal.js';
import { silentNotifier } from '../../../src/notify/notifier.js';
import { nodeOutboxFs } from '../../../src/outbox/outbox-fs.js';
import { makeVideo } from '../../helpers/media.js';

let dir: string;
let journal: Journal;
let sample: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-runjob-'));
  await mkdir(join(dir, 'inbox'));
  await mkdir(join(dir, 'outbox'));
  journal = await openJournal(join(dir, 'state'), { clock: systemClock });
  sample = await makeVideo(join(dir, 'sample.mp4'));
});

afterEach(async () => {
  await journal.close();
  await rm(dir, { recursive: true, force: true });
});

const plan = (): JobPlan => ({
  inbox: join(dir, 'inbox'),
  outbox: join(dir, 'outbox'),
  outputName: 'clip.mp4',
  after: 'archive',
  engine: 'local',
  instructions: [],
  skill: 'video-converter-best',
  language: 'en',
  quality: 'high',
});

/** An engine that "converts" by copying a real MP4, optionally doing something to the source meanwhile. */
function copyingEngine(during?: (source: string) => Promise<void>): Engine {
  return {
    name: 'local',
    async run(request) {
      await during?.(request.input);
      await copyFile(sample, request.destination);
      return { path: request.destination, durationSec: 1 };
    },
  };
}

async function newJob(source: string) {
  const s = await stat(source);
  return journal.create({
    id: 'job-1',
    folder: 'f',
    source,
    sourceName: 'clip.avi',
    size: s.size,
    mtimeMs: s.mtimeMs,
    contentHash: 'abc',
    ruleVersion: 'v1',
    engine: 'local',
    plan: plan(),
  });
}

const deps = (engine: Engine) => ({
  records: journal,
  fs: nodeOutboxFs,
  engines: { local: engine },
  notifier: silentNotifier,
  log: silentLogger(),
  clock: systemClock,
});

describe('runJob', () => {
  it('records the output the moment it is placed, then archives the source', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'original camcorder bytes');
    const job = await newJob(source);
    const outputs: (string | undefined)[] = [];
    const watching: JobRecords = {
      update: async (id, patch) => {
        if ('output' in patch) outputs.push(patch.output);
        return journal.update(id, patch);
      },
    };
    const result = await runJob(
      job,
      plan(),
      { ...deps(copyingEngine()), records: watching },
      new AbortController().signal,
    );
    expect(result).toEqual({ kind: 'done', output: join(dir, 'outbox', 'clip.mp4') });
    // Written once by the placement hook (before the temp is gone) and once after.
    expect(outputs).toEqual([join(dir, 'outbox', 'clip.mp4'), join(dir, 'outbox', 'clip.mp4')]);
    expect(journal.get('job-1')?.state).toBe('done');
    expect(await readdir(join(dir, 'inbox', '_done'))).toEqual(['clip.avi']);
  });

  it('keeps a source that was saved over while it converted', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'first version');
    const job = await newJob(source);
    const engine = copyingEngine(async (input) => {
      await writeFile(input, 'a longer second version saved while converting');
      const later = new Date(Date.now() + 5000);
      await utimes(input, later, later);
    });
    const result = await runJob(job, plan(), deps(engine), new AbortController().signal);
    expect(result.kind).toBe('done');
    expect(await readdir(join(dir, 'inbox'))).toEqual(['clip.avi']);
  });

  it('fails a job whose source was removed from a present inbox, with nothing to set aside', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'bytes');
    const job = await newJob(source);
    await rm(source);
    const result = await runJob(job, plan(), deps(copyingEngine()), new AbortController().signal);
    expect(result.kind).toBe('failed');
    expect(journal.get('job-1')?.error?.code).toBe('SOURCE_GONE');
    expect(await readdir(join(dir, 'inbox'))).toEqual([]);
  });

  it('waits, without failing, while the whole inbox is gone (an unmounted share)', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'bytes');
    const job = await newJob(source);
    await rm(join(dir, 'inbox'), { recursive: true });
    const result = await runJob(job, plan(), deps(copyingEngine()), new AbortController().signal);
    expect(result.kind).toBe('retry');
    expect(journal.get('job-1')?.state).toBe('queued');
    expect(journal.get('job-1')?.error?.code).toBe('INBOX_MISSING');
  });
});
