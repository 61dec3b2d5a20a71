import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  distIsFresh,
  killChildren,
  listFiles,
  makeSandbox,
  runCli,
  sigterm,
  spawnDaemon,
  waitFor,
  type Sandbox,
} from '../daemon/harness.js';
import { apiOf, readEvents, type Api, type SseEvent } from './http-client.js';

interface Job {
  id: string;
  file: string;
  folder: string;
  state: string;
  percent?: number;
  error?: { code: string; message: string; hint?: string };
  history?: { state: string; at: number }[];
}

let sb: Sandbox | undefined;
let media: string;

beforeAll(async () => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  media = await mkdtemp(join(tmpdir(), 'vi-http-media-'));
  await makeVideo(join(media, 'a.mov'));
  await makeVideo(join(media, 'b.mp4'), { durationSec: 2 });
});

afterAll(async () => {
  await rm(media, { recursive: true, force: true });
});

afterEach(async () => {
  await killChildren();
  await sb?.close();
  sb = undefined;
});

const jobsOf = async (api: Api, query = '') =>
  (await api.get(`/api/jobs${query}`)).json<{ jobs: Job[]; total: number }>();
const doneEvent = (file: string) => (events: SseEvent[]) =>
  events.some((e) => e.event === 'job.done' && (JSON.parse(e.data) as { job: Job }).job.file === file);

describe('REST and live events through the built daemon', () => {
  it('streams a job from created to done with increasing ids, replays after Last-Event-ID, lists with filters and paging', async () => {
    sb = await makeSandbox({ rule: { engine: 'local' } });
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    const api = await apiOf(sb);
    const auth = { authorization: `Bearer ${api.key}` };

    const streaming = readEvents(api.url, auth, doneEvent('a.mov'), 90_000, '/api/events?lastEventId=0');
    await copyFile(join(media, 'a.mov'), join(sb.inbox, 'a.mov'));
    const events = (await streaming).filter((e) => e.event?.startsWith('job.'));
    const types = events.map((e) => e.event);
    expect(types[0]).toBe('job.created');
    expect(types).toContain('job.stage');
    expect(types.at(-1)).toBe('job.done');
    const ids = events.map((e) => Number(e.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    const states = events.map((e) => (JSON.parse(e.data) as { job: Job }).job.state);
    expect(states).toContain('converting');

    // A client that saw only the first event and reconnects gets exactly the rest.
    const replay = await readEvents(
      api.url,
      { ...auth, 'last-event-id': String(ids[0]) },
      doneEvent('a.mov'),
      30_000,
    );
    expect(replay.filter((e) => e.event?.startsWith('job.')).map((e) => Number(e.id))).toEqual(ids.slice(1));

    const { jobs, total } = await jobsOf(api);
    expect(total).toBe(1);
    const job = jobs[0]!;
    expect(job).toMatchObject({ file: 'a.mov', folder: 'main', state: 'done' });
    const one = (await api.get(`/api/jobs/${job.id}`)).json<{ job: Job }>().job;
    const history = one.history!.map((h) => h.state);
    expect(history[0]).toBe('queued');
    expect(history).toContain('converting');
    expect(history.at(-1)).toBe('done');
    expect((await api.get('/api/jobs/no-such-id')).status).toBe(404);

    await copyFile(join(media, 'b.mp4'), join(sb.inbox, 'b.mp4'));
    await waitFor(async () => (await jobsOf(api, '?state=done')).total === 2, 90_000, 'both done');
    expect((await jobsOf(api, '?state=failed,held')).total).toBe(0);
    expect((await jobsOf(api, '?folder=main')).total).toBe(2);
    expect((await jobsOf(api, '?folder=other')).total).toBe(0);
    expect((await jobsOf(api, '?q=B.MP')).jobs.map((j) => j.file)).toEqual(['b.mp4']);
    const first = await jobsOf(api, '?limit=1&offset=0');
    const second = await jobsOf(api, '?limit=1&offset=1');
    expect(first.jobs).toHaveLength(1);
    expect(second.jobs).toHaveLength(1);
    expect(first.jobs[0]!.id).not.toBe(second.jobs[0]!.id);
    expect(first.total).toBe(2);
    const bad = await api.get('/api/jobs?state=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/Unknown state "sleeping"/);

    const folders = (await api.get('/api/folders')).json<{
      folders: { name: string; ruleVersion?: string }[];
    }>();
    expect(folders.folders).toEqual([
      expect.objectContaining({ name: 'main', ruleVersion: expect.any(String) }),
    ]);
    expect((await api.get('/readyz')).json()).toMatchObject({
      ready: true,
      checks: { watcher: true, journal: true },
    });
    const log = (await api.get('/api/log')).json<{ lines: { message: string }[] }>();
    expect(log.lines.map((l) => l.message)).toContain('a.mov done');
  }, 180_000);

  it('a failed file is retried over the API; a pause with drain (CLI) survives a restart and resume lets jobs run; cancel sets a file aside', async () => {
    sb = await makeSandbox();
    sb.emu.inject('upload', { kind: 'envelope', code: 4001, message: 'Unsupported file type' });
    let child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    let api = await apiOf(sb);

    await copyFile(join(media, 'a.mov'), join(sb.inbox, 'a.mov'));
    const failed = await waitFor(
      async () => (await jobsOf(api, '?state=failed')).jobs[0],
      90_000,
      'a failed job',
    );
    expect(failed.error?.code).toBe('UNSUPPORTED_FILE');
    expect(await listFiles(join(sb.inbox, '_failed'))).toContain('a.mov');
    const retried = await api.post(`/api/jobs/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    await waitFor(async () => (await jobsOf(api, '?state=done')).total === 1, 90_000, 'done after retry');
    expect(await listFiles(sb.outbox)).toEqual(['a.mp4']);
    // Retrying something that is not final is refused with a reason.
    expect((await api.post('/api/jobs/nope/retry')).status).toBe(404);

    const paused = await runCli(sb, ['pause', '--drain', '--config', sb.configPath]);
    expect(paused.stdout).toMatch(/Paused/);
    expect(paused.code).toBe(0);
    const status = await runCli(sb, ['status', '--config', sb.configPath, '--json']);
    expect(JSON.parse(status.stdout).daemon).toMatchObject({
      running: true,
      via: 'api',
      paused: true,
      drain: true,
    });

    // The pause survives a restart: a file dropped now waits in the queue.
    await sigterm(child);
    child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    api = await apiOf(sb);
    expect((await api.get('/api/state')).json()).toMatchObject({ paused: true });
    await copyFile(join(media, 'b.mp4'), join(sb.inbox, 'b.mp4'));
    const waiting = await waitFor(async () => (await jobsOf(api, '?state=queued')).jobs[0], 60_000, 'queued');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api.get(`/api/jobs/${waiting.id}`)).json<{ job: Job }>().job.state).toBe('queued');
    const text = await runCli(sb, ['status', '--config', sb.configPath]);
    expect(text.stdout).toMatch(/Paused: running jobs finish, new ones wait/);

    // Cancel while it waits: set aside with its reason, nothing lost.
    const cancelled = await api.post(`/api/jobs/${waiting.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const after = (await api.get(`/api/jobs/${waiting.id}`)).json<{ job: Job }>().job;
    expect(after).toMatchObject({ state: 'failed', error: { code: 'CANCELLED' } });
    expect(await listFiles(join(sb.inbox, '_failed'))).toContain('b.mp4');
    // Its hint names the file where it now is, so the command runs as printed (retry needs a file);
    // the report beside the file points to its own command, which names the new path.
    const report = await readFile(join(sb.inbox, '_failed', 'b.mp4.error.txt'), 'utf8');
    expect(report).toContain('Retry it from the page, or with the command below.');
    expect(report).toContain(
      `video-inbox retry ${join(sb.inbox, '_failed', 'b.mp4')} --config ${sb.configPath}`,
    );
    expect(after.error?.hint).toContain(
      `\`video-inbox retry ${join(sb.inbox, '_failed', 'b.mp4')} --config ${sb.configPath}\``,
    );
    expect((await api.post(`/api/jobs/${waiting.id}/cancel`)).status).toBe(409);

    // Retry brings it back; it waits for the resume, then runs.
    expect((await api.post(`/api/jobs/${waiting.id}/retry`)).status).toBe(200);
    await waitFor(async () => (await jobsOf(api, '?state=queued')).total === 1, 60_000, 'queued again');
    const resumed = await runCli(sb, ['resume', '--config', sb.configPath]);
    expect(resumed.stdout).toMatch(/Resumed/);
    await waitFor(async () => (await jobsOf(api, '?state=done')).total === 2, 90_000, 'done after resume');
    expect(await listFiles(sb.outbox)).toEqual(['a.mp4', 'b.mp4']);
    expect((await api.get('/api/state')).json()).toMatchObject({ paused: false });
  }, 240_000);

  it('a pause without drain stops a running conversion at its checkpoint; resume finishes it, once', async () => {
    sb = await makeSandbox({
      rule: { engine: 'local', extra: 'local:\n  forceTranscode: true\n  preset: medium\n  crf: 18' },
    });
    await makeVideo(join(sb.dir, 'long.mov'), { durationSec: 40, width: 640, height: 480 });
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    const api = await apiOf(sb);
    await copyFile(join(sb.dir, 'long.mov'), join(sb.inbox, 'long.mov'));
    const running = await waitFor(
      async () => (await jobsOf(api, '?state=converting')).jobs[0],
      60_000,
      'converting',
    );

    const paused = (await api.post('/api/pause', { drain: false })).json<{
      paused: boolean;
      drain: boolean;
    }>();
    expect(paused).toMatchObject({ paused: true, drain: false });
    await waitFor(
      async () => (await api.get('/api/state')).json<{ running: number }>().running === 0,
      30_000,
      'stopped',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const stopped = (await api.get(`/api/jobs/${running.id}`)).json<{ job: Job }>().job;
    expect(stopped.state).toBe('converting'); // at its checkpoint: neither failed nor done
    expect(await listFiles(sb.outbox)).toEqual([]);
    expect(await listFiles(sb.inbox)).toContain('long.mov');

    await api.post('/api/resume');
    await waitFor(async () => (await jobsOf(api, '?state=done')).total === 1, 180_000, 'done after resume');
    expect(await listFiles(sb.outbox)).toEqual(['long.mp4']);
    expect((await jobsOf(api)).total).toBe(1);
  }, 300_000);

  it('outside the schedule a file waits in the queue and status says when work resumes', async () => {
    const h = new Date().getHours();
    const pad = (n: number) => String(n % 24).padStart(2, '0');
    // A one-hour window that starts two hours from now: closed for the whole test.
    const window = `daily ${pad(h + 2)}:00-${pad(h + 3)}:00`;
    sb = await makeSandbox({ rule: { engine: 'local' }, config: { extra: [`schedule: ['${window}']`] } });
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    const api = await apiOf(sb);
    await copyFile(join(media, 'a.mov'), join(sb.inbox, 'a.mov'));
    const queued = await waitFor(async () => (await jobsOf(api, '?state=queued')).jobs[0], 60_000, 'queued');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await api.get(`/api/jobs/${queued.id}`)).json<{ job: Job }>().job.state).toBe('queued');
    const state = (await api.get('/api/state')).json<{
      scheduleClosed: boolean;
      resumesAt: string;
      waiting: number;
    }>();
    expect(state).toMatchObject({ scheduleClosed: true, waiting: 1 });
    expect(new Date(state.resumesAt).getHours()).toBe((h + 2) % 24);
    const status = await runCli(sb, ['status', '--config', sb.configPath]);
    expect(status.stdout).toMatch(/Outside the schedule: new jobs wait until /);
    expect(await listFiles(sb.outbox)).toEqual([]);
  }, 120_000);
});
