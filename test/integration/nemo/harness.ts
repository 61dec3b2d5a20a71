import { mkdtemp, rm } from 'node:fs/promises';
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

export function makeClient(world: World, extra: Partial<NemoEngineOptions> = {}): NemoClient {
  return new NemoClient({
    baseUrl: world.emu.url,
    stateDir: world.stateDir,
    log: silentLogger(),
    fs: nodeAtomicWriteFs,
    ...FAST,
    ...extra,
    clock: extra.clock ?? systemClock,
  });
}

export function makeEngine(world: World, extra: Partial<NemoEngineOptions> = {}) {
  return createNemoEngine({
    baseUrl: world.emu.url,
    stateDir: world.stateDir,
    log: silentLogger(),
    fs: nodeAtomicWriteFs,
    ...FAST,
    ...extra,
    clock: extra.clock ?? systemClock,
  });
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
