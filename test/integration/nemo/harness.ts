import { mkdtemp, open, rm } from 'node:fs/promises';
import { afterEach, expect } from 'vitest';
import { makeVideo, probe } from '../../helpers/media.js';
import { systemClock } from '../../../src/core/clock.js';
import { nodeAtomicWriteFs } from '../../../src/core/atomic-write.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { createLogger, silentLogger, type Logger } from '../../../src/core/logger.js';
import { NemoClient } from '../../../src/engines/nemo/client.js';
import { createNemoEngine, type NemoEngineOptions } from '../../../src/engines/nemo/nemo-engine.js';
import type { EngineHooks, EngineRequest } from '../../../src/engines/engine.js';
import type { Progress, RemoteIds } from '../../../src/domain/work.js';

/** Short timeouts and delays, so fault recovery runs in a second instead of minutes. */
// Timeouts stay generous enough for a loaded 2-core machine; tests of stalls pass shorter ones.
export const FAST = {
  requestTimeoutMs: 8000,
  transferIdleMs: 8000,
  retry: { baseMs: 20, maxMs: 200, rateLimitMs: 300, maxAttempts: 5 },
  sseIdleMs: 8000,
  stillWorkingMs: 100,
  pollSeconds: 0.2,
  pollInitialMs: 50,
  renderTimeoutMs: 90_000,
} satisfies Partial<NemoEngineOptions>;

export interface World {
  emu: Emulator;
  dir: string;
  stateDir: string;
  close(): Promise<void>;
}

export async function startWorld(options: EmulatorOptions = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-nemo-'));
  // Short agent streams keep the suite quick; tests about timing pass their own values.
  const emu = await startEmulator({
    seed: 7,
    instructionMs: 100,
    heartbeatMs: 20,
    renderPolls: 2,
    ...options,
  });
  return {
    emu,
    dir,
    stateDir: join(dir, 'state'),
    close: async () => {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Each call starts a world holding a clip and returns the clip's path; `assign` hands the world to the
 * suite's variable, and the world is closed after the test.
 */
export function worldWithClip(
  assign: (world: World) => void,
): (options?: EmulatorOptions) => Promise<string> {
  let world: World | undefined;
  closeWorldAfterEach(() => world);
  return async (options = {}) => {
    world = await startWorld(options);
    assign(world);
    return clipIn(world);
  };
}

/**
 * Runs a transfer while sampling the process's memory every 10 ms: its result, the progress it
 * reported, and how far the resident set grew above where it started.
 */
export async function whileSamplingMemory<T>(
  transfer: (onProgress: (bytes: number) => void) => Promise<T>,
): Promise<{ result: T; progress: number[]; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const progress: number[] = [];
  let result: T;
  try {
    result = await transfer((bytes) => progress.push(bytes));
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { result, progress, growth: peak - before };
}

/** Closes the test's world after each test; `current` reads the suite's `world` variable. */
export function closeWorldAfterEach(current: () => World | undefined): void {
  afterEach(async () => {
    await current()?.close();
  });
}

/** A short real video in the world's dir (clip.mov unless named). */
export function clipIn(world: World, name = 'clip.mov'): Promise<string> {
  return makeVideo(join(world.dir, name));
}

/** A real short video followed by sparse zero padding up to `size` bytes: quick to create, large on the wire. */
export async function paddedVideo(world: World, name: string, size: number): Promise<string> {
  const path = await clipIn(world, name);
  const handle = await open(path, 'r+');
  await handle.truncate(size);
  await handle.close();
  return path;
}

export async function expectMp4(path: string): Promise<void> {
  const out = await probe(path);
  expect(out.video?.codec).toBe('h264');
}

/** The options both the client and the engine take: the world's emulator and state dir, FAST, then `extra`. */
function engineOptions(world: World, extra: Partial<NemoEngineOptions>) {
  return {
    baseUrl: world.emu.url,
    stateDir: world.stateDir,
    log: silentLogger(),
    fs: nodeAtomicWriteFs,
    ...FAST,
    ...extra,
    clock: extra.clock ?? systemClock,
  };
}

export function makeClient(world: World, extra: Partial<NemoEngineOptions> = {}): NemoClient {
  return new NemoClient(engineOptions(world, extra));
}

/** A client of the world's emulator with a session opened. */
export async function clientWithSession(world: World, extra: Partial<NemoEngineOptions> = {}) {
  const client = makeClient(world, extra);
  const { sessionId } = await client.createSession('en');
  return { client, sessionId };
}

/**
 * A world holding a `size`-byte video (`big.mp4`, see `paddedVideo`) and a client with long transfer
 * timeouts and an open session; `assign` hands the world to the suite's variable first.
 */
export async function largeFileWorld(size: number, assign: (world: World) => void) {
  const world = await startWorld();
  assign(world);
  const path = await paddedVideo(world, 'big.mp4', size);
  const { client, sessionId } = await clientWithSession(world, {
    transferIdleMs: 20_000,
    requestTimeoutMs: 20_000,
  });
  return { world, path, client, sessionId };
}

export function makeEngine(world: World, extra: Partial<NemoEngineOptions> = {}) {
  return createNemoEngine(engineOptions(world, extra));
}

/** Hooks that record progress and keep the journal's view of the remote ids, as the pipeline would. */
export function recordingHooks(opts: { crashAfter?: (ids: RemoteIds) => boolean } = {}) {
  const progress: Progress[] = [];
  const checkpoints: RemoteIds[] = [];
  let journal: RemoteIds = {};
  const controller = new AbortController();
  const hooks: EngineHooks = {
    signal: controller.signal,
    progress: (p) => progress.push(p),
    checkpoint: async (ids) => {
      journal = { ...journal, ...ids };
      checkpoints.push({ ...ids });
      if (opts.crashAfter?.(journal)) throw new SimulatedCrash();
    },
  };
  return { hooks, progress, checkpoints, journal: () => journal, controller };
}

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
  }
}

export function request(world: World, input: string, extra: Partial<EngineRequest> = {}): EngineRequest {
  return {
    jobId: 'job-1',
    input,
    instructions: ['convert this video to MP4 at 1080p without losing quality'],
    skill: 'video-converter-best',
    language: 'en',
    quality: 'high',
    destination: join(world.dir, 'out.mp4'),
    ...extra,
  };
}

/** A logger that keeps every line it writes (after redaction, as in production). */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    level: 'trace',
    pretty: false,
    destination: { write: (l: string) => lines.push(l) },
  });
  return { log, lines };
}
