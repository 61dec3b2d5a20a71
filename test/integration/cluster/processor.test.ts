import { createHash } from 'node:crypto';
import { hashFile } from '../../../src/core/content-hash.js';
import { link, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterProcessor } from '../../../src/cluster/cluster-processor.js';
import { redisDoneSet } from '../../../src/cluster/done-set.js';
import { clusterJobId } from '../../../src/cluster/job-id.js';
import type { ClusterJobData } from '../../../src/cluster/job-data-store.js';
import { systemClock } from '../../../src/core/clock.js';
import { VideoInboxError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Engine, EngineRequest } from '../../../src/engines/engine.js';
import type { JobRecord } from '../../../src/domain/job.js';
import { nodeOutboxFs } from '../../../src/outbox/outbox-fs.js';
import { outputTempPath } from '../../../src/outbox/place.js';
import { silentNotifier } from '../../../src/notify/notifier.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

let redis: RedisServer;
let dir: string;
let queue: Queue<ClusterJobData>;
let worker: Worker<ClusterJobData> | undefined;
let n = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-processor-'));
  await mkdir(join(dir, 'inbox'));
  await mkdir(join(dir, 'outbox'));
  queue = new Queue(`t${++n}`, { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'test' });
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});

/** The source's bytes: its record carries their real hash, as intake would have recorded it. */
const content = (name: string) => `video ${name}`;

function record(name: string): JobRecord {
  const hash = createHash('sha256').update(content(name)).digest('hex');
  return {
    id: clusterJobId(hash, 'rv1'),
    folder: 'main',
    source: join(dir, 'inbox', `${name}.avi`),
    sourceName: `${name}.avi`,
    size: Buffer.byteLength(content(name)),
    mtimeMs: 0,
    contentHash: hash,
    ruleVersion: 'rv1',
    engine: 'nemo',
    state: 'queued',
    remote: {},
    attempts: 0,
    plan: {
      inbox: join(dir, 'inbox'),
      outbox: join(dir, 'outbox'),
      outputName: `${name}.mp4`,
      after: 'archive',
      engine: 'nemo',
      instructions: ['Convert'],
      skill: 'video-converter-best',
      language: 'en',
      quality: 'high',
    },
    createdAt: 0,
    updatedAt: 0,
  };
}

function startWorker(engine: Engine) {
  const client = redis.client();
  const processor = clusterProcessor({
    node: 'test-node',
    engines: { nemo: engine },
    fs: nodeOutboxFs,
    hashFile,
    notifier: silentNotifier,
    log: silentLogger(),
    clock: systemClock,
    ffprobe: undefined,
    doneSet: redisDoneSet(client),
    lockMs: 5000,
    stopSignal: new AbortController().signal,
    holdCloud: async () => undefined,
  });
  worker = new Worker(queue.name, processor, {
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    prefix: 'test',
  });
  return client;
}

/**
 * The cluster job path against a real Redis with a recording engine (a port): what a new owner finds
 * in the job's data, and what it must not do again.
 */
describe('the cluster processor on a real Redis', () => {
  it('records an output an earlier run placed but did not record, without running the engine again', async () => {
    const rec = record('placed');
    await writeFile(rec.source, content('placed'));
    rec.mtimeMs = (await stat(rec.source)).mtimeMs;
    const temp = outputTempPath(rec.plan!.outbox, rec.id);
    await writeFile(temp, 'mp4 bytes');
    await link(temp, join(dir, 'outbox', 'placed.mp4'));
    const calls: EngineRequest[] = [];
    const client = startWorker({
      name: 'nemo',
      run: async (req) => {
        calls.push(req);
        return { path: req.destination };
      },
    });
    const events = new QueueEvents(queue.name, {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: 'test',
    });
    await events.waitUntilReady();
    const job = await queue.add('convert', { record: rec }, { jobId: rec.id });
    const result = (await job.waitUntilFinished(events, 30_000)) as { kind: string; output: string };
    await events.close();

    expect(calls).toEqual([]);
    expect(result).toMatchObject({ kind: 'done', output: join(dir, 'outbox', 'placed.mp4') });
    expect(await readdir(join(dir, 'outbox'))).toEqual(['placed.mp4']);
    expect(await readdir(join(dir, 'inbox', '_done'))).toEqual(['placed.avi']);
    expect(JSON.parse((await client.hget('video-inbox:done', `${rec.contentHash}:rv1`))!)).toMatchObject({
      jobId: rec.id,
      output: join(dir, 'outbox', 'placed.mp4'),
      node: 'test-node',
    });
  });

  it('keeps the checkpointed remote ids in the job data when a step fails, for whichever node runs it next', async () => {
    const rec = record('ckpt');
    await writeFile(rec.source, content('ckpt'));
    rec.mtimeMs = (await stat(rec.source)).mtimeMs;
    startWorker({
      name: 'nemo',
      run: async (_req, hooks) => {
        await hooks.checkpoint({ sessionId: 's-1', renderId: 'r-42' });
        throw new VideoInboxError('NETWORK', 'connection reset');
      },
    });
    await queue.add('convert', { record: rec }, { jobId: rec.id });
    const delayed = await waitForState(rec.id, 'delayed');
    expect(delayed.data.record).toMatchObject({
      state: 'queued',
      attempts: 1,
      remote: { sessionId: 's-1', renderId: 'r-42' },
      error: { code: 'NETWORK' },
    });
    expect(delayed.data.node).toBe('test-node');
    expect(await readdir(join(dir, 'inbox'))).toEqual(['ckpt.avi']);
  });
});

async function waitForState(id: string, state: string) {
  const until = Date.now() + 30_000;
  for (;;) {
    const job = await queue.getJob(id);
    if (job && (await job.getState()) === state) return job;
    if (Date.now() > until) throw new Error(`job ${id} never reached ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
