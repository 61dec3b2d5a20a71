import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distIsFresh, listFiles, sigterm, waitFor, type Child } from '../daemon/harness.js';
import { entries, makeClusterWorld, mp4Name, useClusterClips, type ClusterWorld } from './cluster-world.js';

const clips = useClusterClips('vi-cluster-redis-', 20);

async function allDone(w: ClusterWorld, files: string[], timeoutMs: number): Promise<void> {
  await waitFor(
    async () =>
      (await listFiles(w.sb.outbox)).length >= files.length &&
      (await listFiles(join(w.sb.inbox, '_done'))).length >= files.length,
    timeoutMs,
    `${files.length} outputs and archived sources`,
  );
  await new Promise((r) => setTimeout(r, 2000));
  expect(await listFiles(w.sb.outbox)).toEqual(files.map(mp4Name).sort());
  expect((await listFiles(join(w.sb.inbox, '_done'))).sort()).toEqual(files.map((f) => basename(f)).sort());
  expect(await listFiles(w.sb.inbox)).toEqual(['_done']);
  expect(w.sb.emu.renders()).toHaveLength(files.length);
}

/**
 * Issue 13, points 5 and 6: Redis trouble is not data loss. Restarted mid-run (its AOF keeps the
 * queues), or away for twenty seconds: nodes keep files where they are, log it once, and finish
 * every job once it is back, with nothing set aside, lost or converted twice.
 */
describe.skipIf(!distIsFresh())(
  'Redis restarted or away while a cluster works (run `npm run build` first)',
  () => {
    it('Redis restarted mid-run (AOF): nothing lost or duplicated', async () => {
      const world = await makeClusterWorld({ nodes: 3, emulator: { renderPolls: 8 } });
      const w = world;
      const nodes: Child[] = [0, 1, 2].map((i) => w.spawnNode(i));
      await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
      const files = clips.slice(0, 10);
      await Promise.all(files.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));

      await waitFor(() => w.sb.emu.count('render-start') >= 3, 60_000, 'renders under way');
      await w.redis.stop();
      await new Promise((r) => setTimeout(r, 1500));
      await w.redis.start();

      await allDone(w, files, 180_000);
      expect(await listFiles(join(w.sb.inbox, '_failed'))).toEqual([]);
      for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
    });

    it('Redis stopped for 20 s: no file set aside, all done after it returns, the outage logged once', async () => {
      const world = await makeClusterWorld({ nodes: 3, emulator: { renderPolls: 5 } });
      const w = world;
      const nodes: Child[] = [0, 1, 2].map((i) => w.spawnNode(i));
      await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
      const before = clips.slice(10, 15);
      const during = clips.slice(15, 20);
      await Promise.all(before.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));
      await waitFor(() => w.sb.emu.count('render-start') >= 1, 60_000, 'a render under way');

      await w.redis.stop();
      // Files dropped while Redis is away wait in the inbox.
      await Promise.all(during.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));
      await new Promise((r) => setTimeout(r, 20_000));
      expect(await listFiles(join(w.sb.inbox, '_failed'))).toEqual([]);
      for (const c of during) expect(await listFiles(w.sb.inbox)).toContain(basename(c));
      await w.redis.start();

      await allDone(w, [...before, ...during], 180_000);
      expect(await listFiles(join(w.sb.inbox, '_failed'))).toEqual([]);
      // An idle node may reconnect after the work is done: wait for every node's line, then count.
      await waitFor(
        () => nodes.every((n) => entries(n, 'Redis is reachable again').length > 0),
        60_000,
        'every node logging Redis back',
      );
      for (const n of nodes) {
        expect(entries(n, 'Redis is unreachable')).toHaveLength(1);
        expect(entries(n, 'Redis is reachable again')).toHaveLength(1);
      }
      for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
    });
  },
);
