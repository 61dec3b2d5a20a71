import { createHmac } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  distIsFresh,
  killChildren,
  makeSandbox,
  spawnDaemon,
  waitFor,
  type Sandbox,
} from '../daemon/harness.js';
import { apiOf } from './http-client.js';
import { promSample } from '../../helpers/prometheus.js';

let sb: Sandbox | undefined;
let receiver: Receiver | undefined;
let media: string;

beforeAll(async () => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  media = await mkdtemp(join(tmpdir(), 'vi-metrics-media-'));
  await makeVideo(join(media, 'a.mov'));
  await makeVideo(join(media, 'b.mov'), { durationSec: 2 });
});

afterAll(async () => {
  await rm(media, { recursive: true, force: true });
});

afterEach(async () => {
  await killChildren();
  await receiver?.close();
  await sb?.close();
  sb = receiver = undefined;
});

/** The value of one sample line in the Prometheus text format (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  return promSample(text, name, labels) ?? 0;
}

describe('metrics and notifications through the built daemon', () => {
  it('serves Prometheus metrics (key required) whose counters move with a real local job', async () => {
    sb = await makeSandbox({ rule: { engine: 'local' } });
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    const api = await apiOf(sb);
    const before = await api.get('/metrics');
    expect(before.status).toBe(200);
    expect(before.headers['content-type']).toMatch(/text\/plain/);
    expect(before.text).toMatch(/^video_inbox_process_cpu_user_seconds_total /m);
    expect(sample(before.text, 'video_inbox_jobs_finished_total', { state: 'done' })).toBe(0);

    await copyFile(join(media, 'a.mov'), join(sb.inbox, 'a.mov'));
    const after = await waitFor(
      async () => {
        const text = (await api.get('/metrics')).text;
        return sample(text, 'video_inbox_bytes_total', { direction: 'written' }) > 0 ? text : undefined;
      },
      90_000,
      'a job counted in the metrics',
    );
    expect(sample(after, 'video_inbox_jobs_started_total', { folder: 'main', engine: 'local' })).toBe(1);
    expect(
      sample(after, 'video_inbox_jobs_finished_total', { folder: 'main', engine: 'local', state: 'done' }),
    ).toBe(1);
    expect(sample(after, 'video_inbox_jobs', { state: 'done', folder: 'main' })).toBe(1);
    expect(sample(after, 'video_inbox_watcher_events_total', { kind: 'file' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'video_inbox_job_duration_seconds_count', { engine: 'local', state: 'done' })).toBe(
      1,
    );
    expect(
      sample(after, 'video_inbox_stage_duration_seconds_count', { stage: 'converting', engine: 'local' }),
    ).toBe(1);
    expect(sample(after, 'video_inbox_settle_seconds_count')).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('counts a cloud job: bytes up and down, its stages, an API error by code, credits left', async () => {
    sb = await makeSandbox();
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    const api = await apiOf(sb);
    await copyFile(join(media, 'a.mov'), join(sb.inbox, 'a.mov'));
    const after = await waitFor(
      async () => {
        const text = (await api.get('/metrics')).text;
        return sample(text, 'video_inbox_bytes_total', { direction: 'downloaded' }) > 0 ? text : undefined;
      },
      120_000,
      'a cloud job counted in the metrics',
    );
    expect(sample(after, 'video_inbox_bytes_total', { direction: 'uploaded' })).toBeGreaterThan(0);
    expect(sample(after, 'video_inbox_bytes_total', { direction: 'written' })).toBe(
      sample(after, 'video_inbox_bytes_total', { direction: 'downloaded' }),
    );
    expect(
      sample(after, 'video_inbox_stage_duration_seconds_count', { stage: 'uploading', engine: 'nemo' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'video_inbox_jobs_finished_total', { engine: 'nemo', state: 'done' })).toBe(1);

    sb.emu.inject('upload', { kind: 'envelope', code: 4001, message: 'Unsupported file type' });
    await copyFile(join(media, 'b.mov'), join(sb.inbox, 'b.mov'));
    const failed = await waitFor(
      async () => {
        const text = (await api.get('/metrics')).text;
        return sample(text, 'video_inbox_jobs_finished_total', { engine: 'nemo', state: 'failed' }) > 0
          ? text
          : undefined;
      },
      120_000,
      'a refused upload counted',
    );
    expect(sample(failed, 'video_inbox_api_errors_total', { code: 'UNSUPPORTED_FILE' })).toBe(1);

    const credits = (await api.get('/api/credits')).json<{ available: number }>();
    const scraped = (await api.get('/metrics')).text;
    expect(sample(scraped, 'video_inbox_credits_available')).toBe(credits.available);
  }, 300_000);

  it('posts signed webhooks (retried after receiver errors) and ntfy messages for done and failed jobs', async () => {
    receiver = await startReceiver({ failFirst: 2 });
    const secret = 'a-webhook-secret-of-some-length';
    sb = await makeSandbox({
      rule: { engine: 'local' },
      config: {
        extra: [
          'notify:',
          '  desktop: false',
          '  webhooks:',
          `    - url: ${receiver.url}/hook`,
          `      secret: ${secret}`,
          '  ntfy:',
          `    - url: ${receiver.url}/topic`,
          '      events: [failed]',
        ],
      },
    });
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    await copyFile(join(media, 'a.mov'), join(sb.inbox, 'a.mov'));
    await writeFile(join(sb.inbox, 'notes.mov'), 'this is not a video at all, just some text\n'.repeat(20));

    const hooks = await waitFor(
      () => {
        const ok = receiver!.received.filter((r) => r.path === '/hook' && r.status === 200);
        return ok.length >= 2 ? ok : undefined;
      },
      120_000,
      'two webhooks',
    );
    // The first two deliveries met a 500 and were retried.
    expect(receiver.received.filter((r) => r.path === '/hook' && r.status === 500)).toHaveLength(2);
    for (const hook of hooks) {
      const expected = `sha256=${createHmac('sha256', secret).update(hook.body).digest('hex')}`;
      expect(hook.headers['x-video-inbox-signature']).toBe(expected);
      expect(hook.headers['content-type']).toBe('application/json');
    }
    const bodies = hooks.map((h) => JSON.parse(h.body) as { event: string; job: { file: string } });
    expect(bodies.map((b) => `${b.event} ${b.job.file}`).sort()).toEqual(['done a.mov', 'failed notes.mov']);
    // A body signed with another secret would not verify.
    const forged = `sha256=${createHmac('sha256', 'another-secret-entirely').update(hooks[0]!.body).digest('hex')}`;
    expect(hooks[0]!.headers['x-video-inbox-signature']).not.toBe(forged);

    const topic = await waitFor(() => receiver!.received.find((r) => r.path === '/topic'), 60_000, 'ntfy');
    expect(topic.headers.title).toBe('Video could not be converted');
    expect(topic.body).toMatch(/^notes\.mov: /);
    // ntfy was asked for failures only.
    expect(receiver.received.filter((r) => r.path === '/topic')).toHaveLength(1);
  }, 180_000);
});

interface Received {
  path: string;
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A loopback HTTP receiver that records every request; the first `failFirst` to /hook get a 500. */
async function startReceiver(opts: { failFirst: number }): Promise<Receiver> {
  const received: Received[] = [];
  let failures = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = req.url === '/hook' && failures < opts.failFirst ? 500 : 200;
      if (status === 500) failures++;
      received.push({
        path: req.url ?? '',
        status,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
