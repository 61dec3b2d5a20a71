import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  utimes,
  writeFile,
  stat,
} from 'node:fs/promises';
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
import { hashFile } from '../../../src/core/content-hash.js';
import { makeVideo } from '../../helpers/media.js';
import { captureLog } from '../../helpers/capture-log.js';
import { VideoInboxError } from '../../../src/core/errors.js';
import { waitFor } from '../../helpers/wait.js';

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
    dev: s.dev,
    ino: s.ino,
    ctimeMs: s.ctimeMs,
    contentHash: await hashFile(source),
    ruleVersion: 'v1',
    engine: 'local',
    plan: plan(),
  });
}

const deps = (engine: Engine) => ({
  records: journal,
  fs: nodeOutboxFs,
  hashFile,
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

  it('keeps a same-size, same-mtime replacement renamed over the source while it converted', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'content C');
    const job = await newJob(source);
    const engine = copyingEngine(async (input) => {
      const other = join(dir, 'inbox', '.d');
      await writeFile(other, 'content D');
      const s = await stat(input);
      await utimes(other, s.atime, s.mtime);
      await rename(other, input);
    });
    const result = await runJob(job, plan(), deps(engine), new AbortController().signal);
    expect(result.kind).toBe('done');
    expect(await readdir(join(dir, 'inbox'))).toEqual(['clip.avi']);
  });

  it('converts nothing when other content replaced the source before a (re)run: SOURCE_CHANGED', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'content C');
    const job = await newJob(source);
    await writeFile(source, 'content D, other bytes');
    let ran = false;
    const result = await runJob(
      job,
      plan(),
      deps(copyingEngine(async () => void (ran = true))),
      new AbortController().signal,
    );
    expect(result.kind).toBe('failed');
    expect(ran).toBe(false);
    expect(journal.get('job-1')?.error?.code).toBe('SOURCE_CHANGED');
    expect(await readdir(join(dir, 'inbox'))).toEqual(['clip.avi']);
    expect(await readdir(join(dir, 'outbox'))).toEqual([]);
  });

  it('records where a failed job set its source aside, the path status shows', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'bytes');
    const job = await newJob(source);
    const engine: Engine = {
      name: 'local',
      async run() {
        throw new VideoInboxError('UNSUPPORTED_FILE', 'This file type is not accepted');
      },
    };
    const result = await runJob(job, plan(), deps(engine), new AbortController().signal);
    expect(result.kind).toBe('failed');
    const record = journal.get('job-1');
    expect(record?.error?.code).toBe('UNSUPPORTED_FILE');
    expect(record?.setAsideTo).toBe(join(dir, 'inbox', '_failed', 'clip.avi'));
    expect(await readdir(join(dir, 'inbox', '_failed'))).toContain('clip.avi');
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

  it('calls a source deleted before the engine opened it SOURCE_GONE, not an engine failure', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'bytes');
    const job = await newJob(source);
    const engine: Engine = {
      name: 'local',
      async run(request) {
        await rm(request.input);
        throw new VideoInboxError('FFMPEG_FAILED', 'ffmpeg could not open the input');
      },
    };
    const logs = captureLog();
    const result = await runJob(
      job,
      plan(),
      { ...deps(engine), log: logs.log },
      new AbortController().signal,
    );
    expect(result.kind).toBe('failed');
    expect(journal.get('job-1')?.error?.code).toBe('SOURCE_GONE');
    expect(logs.lines.join('\n')).not.toMatch(/stays in the inbox|FFMPEG_FAILED/);
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

/**
 * An outbox on a file system without hard links (FAT, exFAT, some shares: `link` fails with EPERM)
 * places an output by reserving its final name with an empty file and renaming the temp over it. A
 * process killed between those steps, or before the journal records the name, must not leave an empty
 * MP4 behind or lead to a second copy: the next run of the job clears or takes what the last one left.
 * The kill is a step that never returns (the process is frozen there for good); the next run is a
 * fresh `runJob` on what the journal and the folders hold.
 */
describe('runJob on an outbox without hard links, after a kill while placing', () => {
  const never = () => new Promise<never>(() => undefined);
  const noLinks = (overrides: Partial<typeof nodeOutboxFs> = {}) => ({
    ...nodeOutboxFs,
    link: async () => {
      throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    },
    ...overrides,
  });
  const finalName = () => join(dir, 'outbox', 'clip.mp4');

  function countingEngine() {
    const engine = copyingEngine();
    let runs = 0;
    return {
      engine: { ...engine, run: (...args: Parameters<Engine['run']>) => (runs++, engine.run(...args)) },
      runs: () => runs,
    };
  }

  /** The job's next run, on what the journal and the folders hold (links still refused). */
  async function runAgain() {
    const again = countingEngine();
    const result = await runJob(
      journal.get('job-1')!,
      plan(),
      { ...deps(again.engine), fs: noLinks() },
      new AbortController().signal,
    );
    return { result, runs: again.runs };
  }

  it('killed after the reservation, before the rename: the empty reservation is cleared, one output', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'camcorder bytes, placed on a FAT stick');
    const job = await newJob(source);
    const first = countingEngine();
    const frozen = noLinks({
      rename: (from, to) => (to === finalName() ? never() : nodeOutboxFs.rename(from, to)),
    });
    void runJob(job, plan(), { ...deps(first.engine), fs: frozen }, new AbortController().signal);
    await waitFor(
      async () => (await readdir(join(dir, 'outbox'))).includes('clip.mp4'),
      30_000,
      'the reservation',
    );

    const { result } = await runAgain();
    expect(result).toEqual({ kind: 'done', output: finalName() });
    expect(await readdir(join(dir, 'outbox'))).toEqual(['clip.mp4']);
    expect((await stat(finalName())).size).toBe((await stat(sample)).size);
    expect(await readdir(join(dir, 'inbox', '_done'))).toEqual(['clip.avi']);
  });

  it('killed after the rename, before the record: the placed file is the output, nothing converted again', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    await writeFile(source, 'camcorder bytes, renamed into place on a FAT stick');
    const job = await newJob(source);
    const first = countingEngine();
    const frozenRecords: JobRecords = {
      update: (id, patch) => ('output' in patch ? never() : journal.update(id, patch)),
    };
    void runJob(
      job,
      plan(),
      { ...deps(first.engine), fs: noLinks(), records: frozenRecords },
      new AbortController().signal,
    );
    const size = (await stat(sample)).size;
    await waitFor(
      async () => (await stat(finalName()).catch(() => undefined))?.size === size,
      30_000,
      'the rename',
    );
    expect(journal.get('job-1')?.output).toBeUndefined();

    const { result, runs } = await runAgain();
    expect(result).toEqual({ kind: 'done', output: finalName() });
    expect(runs()).toBe(0);
    expect(await readdir(join(dir, 'outbox'))).toEqual(['clip.mp4']);
    expect(journal.get('job-1')).toMatchObject({ state: 'done', output: finalName() });
    expect(await readdir(join(dir, 'inbox', '_done'))).toEqual(['clip.avi']);
  });

  // The inbox is on the same stick: archiving the source reserves `_done/clip.avi` the same way.
  const archived = () => join(dir, 'inbox', '_done', 'clip.avi');

  it('killed while archiving, after the reservation in _done: no empty file stays, the source keeps its name', async () => {
    const source = join(dir, 'inbox', 'clip.avi');
    const bytes = 'camcorder bytes, archived on a FAT stick';
    await writeFile(source, bytes);
    const job = await newJob(source);
    const frozen = noLinks({
      rename: (from, to) => (to === archived() ? never() : nodeOutboxFs.rename(from, to)),
    });
    void runJob(job, plan(), { ...deps(countingEngine().engine), fs: frozen }, new AbortController().signal);
    await waitFor(
      async () =>
        (await readdir(join(dir, 'inbox', '_done')).catch(() => [] as string[])).includes('clip.avi'),
      30_000,
      'the reservation in _done',
    );
    expect((await stat(archived())).size).toBe(0);

    const { result, runs } = await runAgain();
    expect(result).toEqual({ kind: 'done', output: finalName() });
    expect(runs()).toBe(0);
    expect(await readdir(join(dir, 'inbox', '_done'))).toEqual(['clip.avi']);
    expect(await readFile(archived(), 'utf8')).toBe(bytes);
    expect(await readdir(join(dir, 'inbox'))).toEqual(['_done']);
    expect(journal.get('job-1')?.state).toBe('done');
    // A done record sheds the names it reserved.
    expect(journal.get('job-1')).not.toHaveProperty('reservedArchive');
    expect(journal.get('job-1')).not.toHaveProperty('reservedOutput');
  });
});
