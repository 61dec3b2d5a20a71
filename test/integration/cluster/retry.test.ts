import { copyFile, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distIsFresh, listFiles, runCli, sigterm, waitFor, type Child } from '../daemon/harness.js';
import { entries, makeClusterWorld, REDIS_PASSWORD, useClusterClips } from './cluster-world.js';

const clips = useClusterClips('vi-cluster-retry-', 1);

/**
 * `video-inbox retry` in cluster mode, as the `.error.txt` prints it, run on a node other than the
 * one that set the file aside (shared inbox, each node its own state dir): the file goes back and the
 * cluster converts it; from `_done/` it is converted again, as on one host.
 */
describe.skipIf(!distIsFresh())('video-inbox retry in cluster mode (run `npm run build` first)', () => {
  it('retries on another node a file one node set aside, and a done file again', async () => {
    const world = await makeClusterWorld({ nodes: 2, concurrency: 1 });
    const w = world;
    const name = basename(clips[0]!);
    const mp4 = `${basename(clips[0]!, extname(clips[0]!))}.mp4`;
    const nodes: Child[] = [0, 1].map((i) => w.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
    w.sb.emu.inject('upload', { kind: 'envelope', code: 4001, message: 'Unsupported file type' });
    await copyFile(clips[0]!, join(w.sb.inbox, name));
    const failedDir = join(w.sb.inbox, '_failed');
    await waitFor(
      async () => (await listFiles(failedDir)).length === 2,
      120_000,
      'the file set aside with its reason',
    );
    const setAsideBy = nodes.findIndex((n) => entries(n, 'Job started on this node').length > 0);
    expect(setAsideBy).toBeGreaterThanOrEqual(0);
    const other = 1 - setAsideBy;

    // The command the report prints, run with the other node's config.
    const report = await readFile(join(failedDir, `${name}.error.txt`), 'utf8');
    const printed = /video-inbox retry (\S+)/.exec(report)?.[1];
    expect(printed).toBe(join(failedDir, name));
    const retried = await runCli(w.sb, ['retry', printed!, '--config', w.nodeConfig(other)]);
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain(`${join(failedDir, name)} → ${join(w.sb.inbox, name)}`);
    await waitFor(
      async () => (await listFiles(w.sb.outbox)).includes(mp4),
      120_000,
      `the retried file converted\n${nodes.flatMap((n) => n.lines.slice(-10)).join('\n')}`,
    );
    await waitFor(
      async () => (await listFiles(join(w.sb.inbox, '_done'))).includes(name),
      30_000,
      'archived',
    );
    expect(await listFiles(failedDir)).toEqual([]);
    expect(w.sb.emu.renders()).toHaveLength(1);

    // A done file, retried from _done/ on either node, is converted again (the first output kept).
    const again = await runCli(w.sb, [
      'retry',
      join(w.sb.inbox, '_done', name),
      '--config',
      w.nodeConfig(setAsideBy),
    ]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    await waitFor(
      async () => (await listFiles(w.sb.outbox)).length === 2,
      120_000,
      `converted again\n${nodes.flatMap((n) => n.lines.slice(-10)).join('\n')}`,
    );
    expect(await listFiles(w.sb.outbox)).toEqual([`${basename(mp4, '.mp4')} (1).mp4`, mp4]);
    expect(w.sb.emu.renders()).toHaveLength(2);
    await waitFor(
      async () => (await listFiles(join(w.sb.inbox, '_done'))).includes(name),
      30_000,
      'archived',
    );
    expect((await listFiles(w.sb.inbox)).filter((f) => !f.startsWith('_'))).toEqual([]);
    for (const n of nodes) expect((await sigterm(n)).code).toBe(0);

    // Redis away: the retry says so, and the file stays where it was.
    await w.redis.stop();
    const away = await runCli(w.sb, [
      'retry',
      join(w.sb.inbox, '_done', name),
      '--config',
      w.nodeConfig(other),
    ]);
    expect(away.code).not.toBe(0);
    expect(away.stderr).toContain('did not answer');
    expect(away.stderr).not.toContain(REDIS_PASSWORD);
    expect(await listFiles(join(w.sb.inbox, '_done'))).toEqual([name]);
  }, 400_000);
});
