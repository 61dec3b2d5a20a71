import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distIsFresh, listFiles, sigterm, waitFor, type Child } from '../daemon/harness.js';
import { apiOf } from '../http/http-client.js';
import { entries, makeClusterWorld, useClusterClips } from './cluster-world.js';

const clips = useClusterClips('vi-cluster-schedule-', 6);

const mp4Name = (clip: string) => `${basename(clip, extname(clip))}.mp4`;
const hh = (h: number) => String(h % 24).padStart(2, '0');

/** A daily window two hours from now (local time, as the daemon reads it): closed now. */
function closedWindow(): string {
  const h = new Date().getHours();
  return `daily ${hh(h + 2)}:00-${hh(h + 3)}:00`;
}

/**
 * The same `schedule:` means the same thing in cluster mode as on one host: a node outside its window
 * takes no new jobs (the other nodes do them), and takes again once its window opens.
 */
describe.skipIf(!distIsFresh())('schedule windows on cluster nodes (run `npm run build` first)', () => {
  it('a node outside its window takes no jobs; the other does them all; it takes again when open', async () => {
    const window = closedWindow();
    const world = await makeClusterWorld({
      nodes: 2,
      concurrency: 1,
      nodeLines: (i) => (i === 1 ? ['schedule:', `  - "${window}"`] : []),
    });
    const w = world;
    const nodes: Child[] = [0, 1].map((i) => w.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
    const api1 = await apiOf({ ...w.sb, stateDir: join(w.sb.dir, 'state-1') });
    const state = (await api1.get('/api/state')).json<{ scheduleClosed: boolean; paused: boolean }>();
    expect(state.scheduleClosed).toBe(true);
    expect(state.paused).toBe(false);
    expect(entries(nodes[1]!, 'Outside the schedule: this node takes no new jobs')).toHaveLength(1);

    const first = clips.slice(0, 4);
    await Promise.all(first.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));
    await waitFor(
      async () =>
        (await listFiles(join(w.sb.inbox, '_done'))).length >= first.length &&
        nodes.flatMap((n) => entries(n, 'Output placed')).length >= first.length,
      180_000,
      'the first files done',
    );
    expect(await listFiles(w.sb.outbox)).toEqual(first.map(mp4Name).sort());
    expect(entries(nodes[0]!, 'Job started on this node')).toHaveLength(first.length);
    expect(entries(nodes[1]!, 'Job started on this node')).toHaveLength(0);
    expect(w.sb.emu.renders()).toHaveLength(first.length);

    // Node 0 goes; node 1's window opens (its schedule edited away while it runs): it takes the rest.
    expect((await sigterm(nodes[0]!)).code).toBe(0);
    const config = await readFile(w.nodeConfig(1), 'utf8');
    await writeFile(w.nodeConfig(1), config.replace(/^schedule:\n {2}- ".*"\n/m, ''));
    await waitFor(
      async () => !(await api1.get('/api/state')).json<{ scheduleClosed: boolean }>().scheduleClosed,
      60_000,
      'node 1 open',
    );
    await nodes[1]!.waitForLog('Schedule window open: this node takes jobs again');
    const rest = clips.slice(4);
    await Promise.all(rest.map((c) => copyFile(c, join(w.sb.inbox, basename(c)))));
    await waitFor(
      async () =>
        (await listFiles(join(w.sb.inbox, '_done'))).length >= clips.length &&
        entries(nodes[1]!, 'Output placed').length >= rest.length,
      180_000,
      'the rest done by node 1',
    );
    expect(await listFiles(w.sb.outbox)).toEqual(clips.map(mp4Name).sort());
    expect(entries(nodes[1]!, 'Job started on this node')).toHaveLength(rest.length);
    expect(await listFiles(join(w.sb.inbox, '_failed'))).toEqual([]);
    expect((await sigterm(nodes[1]!)).code).toBe(0);
  }, 400_000);
});
