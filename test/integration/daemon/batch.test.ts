import { statSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../helpers/media.js';
import {
  expectShareableMp4,
  listFiles,
  makeSandbox,
  slowCopy,
  startInProcess,
  waitFor,
  waitForJobs,
  type InProcess,
  type Sandbox,
} from './harness.js';
import { makeLargeVideo, makeMixedSet } from './media-set.js';

/**
 * Issue 3, "Done when" 1: twenty files of mixed formats, some copied in slowly, one large, all become
 * shareable MP4s in the outbox and their sources are archived; plus the duplicate rule.
 */
describe('a batch of twenty mixed videos through the daemon and the emulator', () => {
  let sb: Sandbox;
  let d: InProcess;
  let sources: string[];

  beforeAll(async () => {
    sb = await makeSandbox({ config: { concurrency: 4 } });
    const media = join(sb.dir, 'media');
    sources = [...(await makeMixedSet(media, 19)), await makeLargeVideo(join(media, 'large.avi'), 3)];
    d = await startInProcess(sb);
  });

  afterAll(async () => {
    await d?.daemon.stop();
    await sb?.close();
  });

  it('converts every file, slow copies and the large one included, and archives the sources', async () => {
    const large = sources.at(-1)!;
    const slow = new Set(sources.filter((_, i) => i % 6 === 2));
    expect(statSync(large).size).toBeGreaterThan(15 * 1024 * 1024);

    // Quick copies all at once; slow ones trickle in beside them. The large file pauses longer than
    // the settle window between chunks while its writer keeps it open: it must not be taken early.
    await Promise.all([
      ...sources
        .filter((s) => s !== large && !slow.has(s))
        .map((s) => copyFile(s, join(sb.inbox, basename(s)))),
      ...[...slow].map((s) => slowCopy(s, join(sb.inbox, basename(s)), 4, 200)),
      slowCopy(large, join(sb.inbox, basename(large)), 5, 600),
    ]);

    const jobs = await waitForJobs(
      sb,
      (j) => j.length >= 20 && j.every((x) => x.state === 'done' || x.state === 'failed'),
      150_000,
      'twenty finished jobs',
    );
    expect(jobs.filter((j) => j.state === 'failed').map((j) => j.error)).toEqual([]);
    expect(jobs).toHaveLength(20);

    const expected = sources.map((s) => `${basename(s, extname(s))}.mp4`).sort();
    expect(await listFiles(sb.outbox)).toEqual(expected);
    for (const name of expected) await expectShareableMp4(join(sb.outbox, name));
    // The large one arrived whole: its output lasts as long as the source.
    const largeOut = await probe(join(sb.outbox, 'large.mp4'));
    expect(largeOut.durationSec).toBeGreaterThan(2.5);

    expect(await listFiles(join(sb.inbox, '_done'))).toEqual(sources.map((s) => basename(s)).sort());
    expect(await listFiles(sb.inbox)).toEqual(['_done']);
    // One upload and one render per file: nothing was taken twice or taken while partial.
    expect(sb.emu.count('upload')).toBe(20);
    expect(sb.emu.count('render-start')).toBe(20);
    expect(sb.emu.renders()).toHaveLength(20);
  });

  it('does not pay twice for the same content under a new name: archived, no upload', async () => {
    const uploads = sb.emu.count('upload');
    const jobsBefore = (await waitForJobs(sb, () => true)).length;
    await copyFile(sources[0]!, join(sb.inbox, 'renamed-copy.avi'));
    // The "Already converted earlier" line is logged a moment after the archive: wait for both.
    const logged = () => d.logs.entries().some((e) => String(e.msg).startsWith('Already converted earlier'));
    await waitFor(
      async () => (await listFiles(join(sb.inbox, '_done'))).includes('renamed-copy.avi') && logged(),
      30_000,
      'the duplicate archived and logged',
    );
    expect(await listFiles(sb.inbox)).toEqual(['_done']);
    expect(sb.emu.count('upload')).toBe(uploads);
    expect(await listFiles(sb.outbox)).toHaveLength(20);
    expect((await waitForJobs(sb, () => true)).length).toBe(jobsBefore);
    expect(logged()).toBe(true);
    await rm(join(sb.inbox, '_done', 'renamed-copy.avi'));
  });
});
