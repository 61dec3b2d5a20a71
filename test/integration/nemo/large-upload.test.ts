import { describe, expect, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { closeWorldAfterEach, largeFileWorld, whileSamplingMemory, type World } from './harness.js';

let world: World;
closeWorldAfterEach(() => world);

// Streaming keeps a plateau of garbage (buffers awaiting GC, here ~60 MB with the emulator in the same
// process) that does not grow with the file; a 400 MB upload shows that plateau is far below its size.
const SIZE = 400 * 1024 * 1024;

describe('uploading a large file', () => {
  it('streams a file over 100 MB from disk while the process memory stays flat', async () => {
    // A real short video followed by sparse zero padding: quick to create, large on the wire.
    const { path, client, sessionId } = await largeFileWorld(SIZE, (w) => (world = w));
    expect((await stat(path)).size).toBe(SIZE);

    const {
      result: files,
      progress,
      growth,
    } = await whileSamplingMemory((onProgress) => client.uploadFile(sessionId, path, { onProgress }));

    expect(files).toHaveLength(1);
    expect(files[0]?.filename).toBe('big.mp4');
    expect(progress.length).toBeGreaterThan(100);
    expect(progress.at(-1)).toBeGreaterThanOrEqual(SIZE);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] as number);
    // The emulator receiving the upload runs in this process too, so this bounds both sides.
    expect(growth).toBeLessThan(SIZE / 4);
  });
});
