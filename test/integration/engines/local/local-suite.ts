import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../../../src/core/logger.js';
import { createLocalEngine } from '../../../../src/engines/local/local-engine.js';

/**
 * The local engine on the system's ffmpeg, with a temp dir for the file's inputs and outputs (made
 * before its tests, removed after) and whether this ffmpeg has libx265.
 */
export function useLocalEngineSuite(prefix: string) {
  const suite = {
    engine: createLocalEngine({ tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }, log: silentLogger() }),
    dir: '',
    hasX265: false,
  };
  beforeAll(async () => {
    suite.dir = await mkdtemp(join(tmpdir(), prefix));
    const { stdout } = await promisify(execFile)('ffmpeg', ['-hide_banner', '-encoders']);
    suite.hasX265 = /\blibx265\b/.test(stdout);
  });
  afterAll(async () => {
    await rm(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
