import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver } from '../../../src/outbox/deliver.js';
import { nodeOutboxFs, type OutboxFs } from '../../../src/outbox/outbox-fs.js';
import { outputTempPath } from '../../../src/outbox/place.js';
import { makeVideo } from '../../helpers/media.js';

/** Delivers a temp render as `holiday.mp4` for the inbox's source; `opts` says what else (after, fs, onPlaced). */
function deliverHoliday(opts: Pick<Parameters<typeof deliver>[0], 'temp' | 'after' | 'fs' | 'onPlaced'>) {
  return deliver({ outboxDir: outbox, name: 'holiday.mp4', source, inboxDir: inbox, ...opts });
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
let media: string;
let good: string;
let root: string;
let inbox: string;
let outbox: string;
let source: string;

beforeAll(async () => {
  media = await mkdtemp(join(tmpdir(), 'vi-deliver-media-'));
  good = await makeVideo(join(media, 'good.mp4'), { durationSec: 1 });
});

afterAll(async () => {
  await rm(media, { recursive: true, force: true });
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vi-deliver-'));
  inbox = join(root, 'inbox');
  outbox = join(root, 'outbox');
  await mkdir(inbox);
  await mkdir(outbox);
  source = join(inbox, 'holiday.avi');
  await writeFile(source, 'the only copy');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('deliver: the source is touched only after the output is verified in place', () => {
  it('places the output, then archives the source', async () => {
    const temp = outputTempPath(outbox, 'j1');
    await copyFile(good, temp);
    const result = await deliverHoliday({ temp, after: 'archive', fs: nodeOutboxFs });
    expect(result).toEqual({
      output: join(outbox, 'holiday.mp4'),
      source: join(inbox, '_done', 'holiday.avi'),
    });
    expect(await readFile(join(inbox, '_done', 'holiday.avi'), 'utf8')).toBe('the only copy');
  });

  it.each(['archive', 'delete'] as const)(
    'an invalid output leaves the source in place (after: %s)',
    async (after) => {
      const temp = outputTempPath(outbox, 'j1');
      await writeFile(temp, 'a cloud error page saved as .mp4');
      await expect(deliverHoliday({ temp, after, fs: nodeOutboxFs })).rejects.toMatchObject({
        code: 'OUTPUT_INVALID',
      });
      expect(await readFile(source, 'utf8')).toBe('the only copy');
      expect(await readdir(outbox)).toEqual([]);
      expect(await readdir(inbox)).toEqual(['holiday.avi']);
    },
  );

  it('a full disk while placing across devices fails the job and leaves the source (after: delete)', async () => {
    const scratch = join(root, 'scratch');
    await mkdir(scratch);
    const temp = join(scratch, 'render.mp4');
    await copyFile(good, temp);
    const full: OutboxFs = {
      ...nodeOutboxFs,
      link: (a, b) => (dirname(a) === dirname(b) ? nodeOutboxFs.link(a, b) : Promise.reject(errno('EXDEV'))),
      copyFile: () => Promise.reject(errno('ENOSPC')),
    };
    await expect(deliverHoliday({ temp, after: 'delete', fs: full })).rejects.toMatchObject({
      code: 'DISK_FULL',
    });
    expect(await readFile(source, 'utf8')).toBe('the only copy');
    expect(await readdir(outbox)).toEqual([]);
  });

  it('a journal that cannot record the output stops before the source is touched', async () => {
    const temp = outputTempPath(outbox, 'j1');
    await copyFile(good, temp);
    const onPlaced = () => Promise.reject(Object.assign(errno('ENOSPC')));
    await expect(deliverHoliday({ temp, after: 'delete', onPlaced, fs: nodeOutboxFs })).rejects.toMatchObject(
      {
        code: 'DISK_FULL',
      },
    );
    expect(await readFile(source, 'utf8')).toBe('the only copy');
    // The next attempt finds its own placement and finishes it, without a second copy.
    const result = await deliverHoliday({ temp, after: 'delete', fs: nodeOutboxFs });
    expect(result).toEqual({ output: join(outbox, 'holiday.mp4'), source: undefined });
    expect(await readdir(outbox)).toEqual(['holiday.mp4']);
    expect(await readdir(inbox)).toEqual([]);
  });
});
