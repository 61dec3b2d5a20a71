import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../../src/events/events.js';
import { distIsFresh, killChildren, listFiles, sigterm, waitFor, type Child } from '../daemon/harness.js';
import { makeMixedSet } from '../daemon/media-set.js';
import { apiOf, call, readEvents, type Api } from '../http/http-client.js';
import { makeClusterWorld, type ClusterWorld } from './cluster-world.js';
import { promSample as sample } from '../../helpers/prometheus.js';

let world: ClusterWorld | undefined;
let mediaDir: string;
let clips: string[];
let late: string[];

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-cluster-surface-'));
  const all = await makeMixedSet(mediaDir, 11);
  clips = all.slice(0, 8);
  late = all.slice(8);
});

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

afterEach(async () => {
  await killChildren();
  await world?.close();
  world = undefined;
});

type JobWithNode = JobView & { node?: string };

/**
 * Issue 13, point 1: in cluster mode each node serves the page, REST API, events and metrics (with
 * the API key, as one host does), showing the whole cluster: every job with the node that runs it,
 * the nodes alive, and cluster gauges beside the node's own counters.
 */
describe.skipIf(!distIsFresh())('the HTTP surface of a cluster node (run `npm run build` first)', () => {
  it('shows the jobs of both nodes with their node names, the live nodes, and cluster gauges', async () => {
    world = await makeClusterWorld({
      nodes: 2,
      concurrency: 1,
      emulator: { renderPolls: 3 },
    });
    const { sb } = world;
    const nodes: Child[] = [0, 1].map((i) => world!.spawnNode(i));
    await Promise.all(nodes.map((n) => n.waitForLog('Watching inboxes')));
    const apis: Api[] = await Promise.all(
      [0, 1].map((i) => apiOf({ ...sb, stateDir: join(sb.dir, `state-${i}`) })),
    );
    const [api0, api1] = apis as [Api, Api];

    // The key is required, as on one host.
    expect((await call(api0.url, '/api/jobs')).status).toBe(401);
    expect((await call(api0.url, '/metrics')).status).toBe(401);
    expect((await call(api0.url, '/api/cluster')).status).toBe(401);

    await Promise.all(clips.map((c) => copyFile(c, join(sb.inbox, basename(c)))));
    await waitFor(
      async () => (await listFiles(join(sb.inbox, '_done'))).length >= clips.length,
      180_000,
      'every source archived',
    );

    // Either node lists every job of the cluster, each with the node that ran it.
    for (const api of apis) {
      const list = await waitFor(
        async () => {
          const r = await api.get('/api/jobs?limit=100');
          const body = r.json<{ jobs: JobWithNode[]; total: number }>();
          return body.jobs.filter((j) => j.state === 'done').length === clips.length ? body : undefined;
        },
        30_000,
        'every job done in /api/jobs',
      );
      expect(list.total).toBe(clips.length);
      expect(list.jobs.map((j) => j.file).sort()).toEqual(clips.map((c) => basename(c)).sort());
      for (const j of list.jobs) expect(['node-0', 'node-1']).toContain(j.node);
      expect(new Set(list.jobs.map((j) => j.node)).size).toBe(2);
      const one = list.jobs[0]!;
      const detail = (await api.get(`/api/jobs/${one.id}`)).json<{ job: JobWithNode }>();
      expect(detail.job.node).toBe(one.node);
      expect(detail.job.file).toBe(one.file);
    }
    // The state filter works on cluster jobs too.
    const failed = (await api1.get('/api/jobs?state=failed')).json<{ total: number }>();
    expect(failed.total).toBe(0);

    const cluster = (await api1.get('/api/cluster')).json<{ node: string; nodes: { node: string }[] }>();
    expect(cluster.node).toBe('node-1');
    expect(cluster.nodes.map((n) => n.node)).toEqual(['node-0', 'node-1']);

    const metrics = await api0.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(sample(metrics.text, 'video_inbox_cluster_nodes_alive')).toBe(2);
    expect(sample(metrics.text, 'video_inbox_cluster_jobs', { queue: 'cloud', state: 'completed' })).toBe(
      clips.length,
    );
    expect(sample(metrics.text, 'video_inbox_cluster_jobs', { queue: 'cloud', state: 'active' })).toBe(0);
    // This node's own counters are there too.
    expect(metrics.text).toMatch(/^video_inbox_process_cpu_user_seconds_total /m);

    // What cannot be done from one node says so; a retry of a done job is refused with the reason.
    const done = (await api0.get('/api/jobs?state=done&limit=1')).json<{ jobs: JobView[] }>().jobs[0]!;
    const retry = await api0.post(`/api/jobs/${done.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.json<{ error: { code: string } }>().error.code).toBe('CLUSTER_DONE');
    const cancel = await api0.post(`/api/jobs/${done.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect((await api0.post('/api/jobs/no-such-job/retry')).status).toBe(404);

    // A pause stops this node taking jobs; the other node converts what comes meanwhile.
    const paused = (await api1.post('/api/pause')).json<{ paused: boolean }>();
    expect(paused.paused).toBe(true);
    expect((await api1.get('/api/state')).json<{ paused: boolean }>().paused).toBe(true);
    const before = nodes[1]!.lines.length;
    // The event stream of either node tells of jobs the other node runs.
    const lateNames = late.map((c) => basename(c));
    const doneEvents = readEvents(
      api1.url,
      { authorization: `Bearer ${api1.key}` },
      (events) =>
        lateNames.every((name) =>
          events.some(
            (e) => e.event === 'job.done' && (JSON.parse(e.data) as { job: JobView }).job.file === name,
          ),
        ),
      180_000,
    );
    for (const c of late) await copyFile(c, join(sb.inbox, basename(c)));
    await waitFor(
      async () => (await listFiles(join(sb.inbox, '_done'))).length >= clips.length + late.length,
      180_000,
      'the late files archived',
    );
    expect(nodes[1]!.lines.slice(before).join('\n')).not.toContain('Output placed');
    const events = await doneEvents;
    for (const e of events.filter((e) => e.event === 'job.done'))
      expect((JSON.parse(e.data) as { job: JobWithNode }).job.node).toBe('node-0');
    const resumed = (await api1.post('/api/resume')).json<{ paused: boolean }>();
    expect(resumed.paused).toBe(false);

    for (const n of nodes) expect((await sigterm(n)).code).toBe(0);
  });
});
