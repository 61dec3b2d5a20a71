import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cleanUpAfterEach,
  distIsFresh,
  expectShareableMp4,
  listFiles,
  runCli,
  sigterm,
  waitFor,
  useMedia,
} from '../daemon/harness.js';
import { makeMixedSet } from '../daemon/media-set.js';
import type { StatusReport } from '../../../src/cli/status-view.js';
import { entries, makeClusterWorld, REDIS_PASSWORD, type ClusterWorld } from './cluster-world.js';

const clips = useMedia('vi-cluster-dies-', (dir) => makeMixedSet(dir, 1)).files;

cleanUpAfterEach();

async function clusterStatus(w: ClusterWorld, node: number) {
  const res = await runCli(w.sb, ['status', '--json', '--config', w.nodeConfig(node)]);
  expect(res.code).toBe(0);
  const report = JSON.parse(res.stdout) as StatusReport;
  if (!report.cluster || 'error' in report.cluster) throw new Error(`no cluster status: ${res.stdout}`);
  return report.cluster;
}

/**
 * Issue 13, point 3: kill -9 of the node running a render. BullMQ's stalled-job recovery hands the
 * job to another node, which reads the checkpointed render id from the job's data and polls the
 * same render: one upload, one render, one output, the source archived once.
 */
describe.skipIf(!distIsFresh())('a cluster node dies during a render (run `npm run build` first)', () => {
  it('another node finishes the job with the same render', async () => {
    // A long render (100 polls, 20 s at the least) so the kill lands while it runs, even after two
    // `status` runs on a loaded machine; a short lock so the takeover is quick.
    const world = await makeClusterWorld({ nodes: 3, emulator: { renderPolls: 100 }, lockSeconds: 3 });
    const { sb } = world;
    const nodes = [0, 1, 2].map((i) => world.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));

    await copyFile(clips[0]!, join(sb.inbox, 'crash.avi'));
    await waitFor(() => sb.emu.count('render-start') === 1, 60_000, 'the render started');
    const owner = nodes.find((n) => entries(n, 'Job started on this node').length > 0);
    expect(owner).toBeDefined();
    const ownerName = `node-${nodes.indexOf(owner!)}`;

    // `status` on any node shows the cluster: three nodes alive, the job and the node running it.
    const live = await clusterStatus(world, 2);
    expect(live.nodes.map((n) => n.node)).toEqual(['node-0', 'node-1', 'node-2']);
    expect(live.nodes.find((n) => n.node === ownerName)?.pid).toBe(owner!.proc.pid);
    expect(live.jobs).toHaveLength(1);
    expect(live.jobs[0]).toMatchObject({ queueState: 'active', node: ownerName, queue: 'cloud' });
    expect(live.jobs[0]!.file).toBe(join(sb.inbox, 'crash.avi'));
    const text = await runCli(world.sb, ['status', '--config', world.nodeConfig(1)]);
    expect(text.stdout).toContain('3 nodes alive: node-0');
    expect(text.stdout).toMatch(new RegExp(`\\[\\w+( \\d+%)? on ${ownerName}\\] main: .*crash\\.avi`));
    expect(`${text.stdout}${text.stderr}`).not.toContain(REDIS_PASSWORD);

    owner!.proc.kill('SIGKILL');
    await owner!.exited;
    expect(await listFiles(sb.outbox)).toEqual([]);
    expect(await listFiles(sb.inbox)).toEqual(['crash.avi']);

    const others = nodes.filter((n) => n !== owner);
    await waitFor(
      async () => (await listFiles(sb.outbox)).length > 0,
      120_000,
      'the output from another node',
    );
    // The "Output placed" line is logged a moment after the archive and read asynchronously.
    await waitFor(
      async () =>
        (await listFiles(join(sb.inbox, '_done'))).length > 0 &&
        others.some((n) => entries(n, 'Output placed').length > 0),
      30_000,
      'the source archived and its "Output placed" line',
    );
    await new Promise((r) => setTimeout(r, 2000));

    expect(await listFiles(sb.outbox)).toEqual(['crash.mp4']);
    await expectShareableMp4(join(sb.outbox, 'crash.mp4'));
    expect(await listFiles(join(sb.inbox, '_done'))).toEqual([basename('crash.avi')]);
    expect(await listFiles(sb.inbox)).toEqual(['_done']);
    expect(sb.emu.count('upload')).toBe(1);
    expect(sb.emu.count('render-start')).toBe(1);
    expect(sb.emu.renders()).toHaveLength(1);
    const resumed = others.flatMap((n) => entries(n, 'Job started on this node'));
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.resume).toEqual(expect.arrayContaining(['renderId', 'renderAccepted']));
    expect(others.flatMap((n) => entries(n, 'Output placed'))).toHaveLength(1);

    // The killed node's heartbeat has expired; the job shows done, by the node that finished it.
    const finisher = `node-${nodes.indexOf(others.find((n) => entries(n, 'Output placed').length > 0)!)}`;
    await waitFor(
      async () => (await clusterStatus(world, 0)).nodes.length === 2,
      30_000,
      'the dead node gone',
    );
    const after = await clusterStatus(world, 0);
    expect(after.nodes.map((n) => n.node)).not.toContain(ownerName);
    expect(after.jobs).toMatchObject([
      { queueState: 'completed', state: 'done', node: finisher, output: join(sb.outbox, 'crash.mp4') },
    ]);

    for (const n of others) expect((await sigterm(n)).code).toBe(0);
  }, 240_000);
});
