import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import type { MediaSpec } from '../../helpers/media.js';
import { mediaDir } from './media.js';

/** The suite's media dir and its one-second 320x240 `clip.mp4`, made before the file's tests, removed after. */
export interface ClipMedia {
  dir: string;
  clip: string;
  video(name: string, spec?: MediaSpec): Promise<string>;
}

export function useClipMedia(): ClipMedia {
  let media: Awaited<ReturnType<typeof mediaDir>> | undefined;
  const suite: ClipMedia = {
    dir: '',
    clip: '',
    video: (name, spec) => media!.video(name, spec),
  };
  beforeAll(async () => {
    media = await mediaDir();
    suite.dir = media.dir;
    suite.clip = await media.video('clip.mp4', { width: 320, height: 240, durationSec: 1 });
  });
  afterAll(() => media?.cleanup());
  return suite;
}

/** Starts the test's emulator with the suite's defaults under the options; it is closed after each test. */
export function useEmulator(defaults: EmulatorOptions): (options?: EmulatorOptions) => Promise<Emulator> {
  let em: Emulator | undefined;
  afterEach(async () => {
    await em?.close();
    em = undefined;
  });
  return async (options = {}) => (em = await startEmulator({ ...defaults, ...options }));
}
