import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distIsFresh, listFiles, sigterm, waitFor, type Child } from '../daemon/harness.js';
import { entries, makeClusterWorld, mp4Name, useClusterClips } from './cluster-world.js';

const clips = useClusterClips('vi-cluster-limits-', 8);

/** Issue 13, point 4: what is per account is held cluster-wide; what is per machine stays per node. */
describe.skipIf(!distIsFresh())('cluster-wide holds and per-node engines (run `npm run build` first)', () => {
  it('out of credits holds cloud jobs on every node; one check releases them all', async () => {
    const world = await makeClusterWorld({ nodes: 2, creditsCheckSeconds: 1 });
    const w = world;
    w.sb.emu.setCredits(0);
    const nodes: Child[] = [0, 1].map((i) => w.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
    const files = clips.slice(0, 4);
    await Promise.all(files.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));

    await waitFor(
      () => nodes.some((n) => entries(n, 'Out of credits').length > 0),
      60_000,
      'the cloud queue paused',
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(await listFiles(w.sb.outbox)).toEqual([]);
    expect((await listFiles(w.sb.inbox)).sort()).toEqual(files.map((f) => basename(f)).sort());
    expect(w.sb.emu.renders()).toHaveLength(0);

    w.sb.emu.setCredits(100);
    await waitFor(
      async () =>
        (await listFiles(w.sb.outbox)).length >= files.length &&
        nodes.some((n) => entries(n, 'Credits are back').length > 0),
      90_000,
      'all outputs and the release logged',
    );
    expect(await listFiles(w.sb.outbox)).toEqual(files.map(mp4Name).sort());
    expect(await listFiles(join(w.sb.inbox, '_failed'))).toEqual([]);
    // The release came from one check on one node, for both.
    expect(nodes.flatMap((n) => entries(n, 'Credits are back'))).toHaveLength(1);
    for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
  });

  it('a node without ffmpeg takes no local jobs; the node with ffmpeg does them all', async () => {
    const world = await makeClusterWorld({
      nodes: 2,
      nodeLines: (i) =>
        i === 0 ? ['ffmpegPath: /nonexistent/ffmpeg', 'ffprobePath: /nonexistent/ffprobe'] : [],
    });
    const w = world;
    await w.sb.writeRule({ engine: 'local' });
    const nodes: Child[] = [0, 1].map((i) => w.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
    expect(entries(nodes[0]!, 'No ffmpeg on this node')).toHaveLength(1);
    const files = clips.slice(4, 8);
    await Promise.all(files.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));

    // A source is archived a moment before its "Output placed" line is logged and read: wait for both.
    await waitFor(
      async () =>
        (await listFiles(join(w.sb.inbox, '_done'))).length >= files.length &&
        nodes.flatMap((n) => entries(n, 'Output placed')).length >= files.length,
      90_000,
      'all local jobs done',
    );
    expect(await listFiles(w.sb.outbox)).toEqual(files.map(mp4Name).sort());
    expect(entries(nodes[0]!, 'Output placed')).toHaveLength(0);
    expect(entries(nodes[1]!, 'Output placed')).toHaveLength(files.length);
    expect(w.sb.emu.requests).toEqual([]);
    for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
  });
});
