import { copyFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  distIsFresh,
  expectShareableMp4,
  listFiles,
  sigterm,
  waitFor,
  type Child,
} from '../daemon/harness.js';
import { entries, makeClusterWorld, mp4Name, useClusterClips, REDIS_PASSWORD } from './cluster-world.js';

const clips = useClusterClips('vi-cluster-media-', 30);

/**
 * Issue 13, points 2 and 6: three daemons (the built CLI, separate state dirs) on one shared inbox,
 * one Redis (AOF, password from an env var), one API emulator: every video converted exactly once.
 */
describe.skipIf(!distIsFresh())('three cluster nodes on one shared inbox (run `npm run build` first)', () => {
  it('thirty distinct files: thirty MP4s, thirty renders, every source archived once', async () => {
    const world = await makeClusterWorld({ nodes: 3 });
    const { sb } = world;
    const nodes: Child[] = [0, 1, 2].map((i) => world.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));

    await Promise.all(clips.map((c) => copyFile(c, join(sb.inbox, basename(c)))));
    const expected = clips.map(mp4Name).sort();
    // A source is archived a moment before its "Output placed" line is logged and read: wait for both.
    await waitFor(
      async () =>
        (await listFiles(sb.outbox)).length >= 30 &&
        (await listFiles(join(sb.inbox, '_done'))).length >= 30 &&
        nodes.flatMap((n) => entries(n, 'Output placed')).length >= 30,
      240_000,
      'thirty outputs, thirty archived sources and thirty "Output placed" lines',
    );
    // A moment more, in case any node were to place a second copy or render again.
    await new Promise((r) => setTimeout(r, 3000));

    expect(await listFiles(sb.outbox)).toEqual(expected);
    expect((await listFiles(join(sb.inbox, '_done'))).sort()).toEqual(clips.map((c) => basename(c)).sort());
    expect(await listFiles(sb.inbox)).toEqual(['_done']);
    expect(sb.emu.count('render-start')).toBe(30);
    expect(sb.emu.renders()).toHaveLength(30);
    expect(sb.emu.count('upload')).toBe(30);
    for (const name of expected.slice(0, 3)) await expectShareableMp4(join(sb.outbox, name));
    expect((await readdir(sb.outbox)).filter((n) => n.startsWith('.'))).toEqual([]);

    // Each job placed once, by exactly one node; the password never reached a log line.
    const placed = nodes.flatMap((n) => entries(n, 'Output placed'));
    expect(placed).toHaveLength(30);
    expect(nodes.filter((n) => entries(n, 'Output placed').length > 0).length).toBeGreaterThan(1);
    for (const n of nodes) expect(n.lines.join('\n')).not.toContain(REDIS_PASSWORD);

    for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
  });
});
