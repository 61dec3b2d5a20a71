import { describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { closeWorldAfterEach, largeFileWorld, whileSamplingMemory, type World } from './harness.js';

let world: World;
closeWorldAfterEach(() => world);

const SIZE = 400 * 1024 * 1024;

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('downloading a large file', () => {
  it('streams 400 MB to disk byte for byte while the process memory stays flat', async () => {
    // A real short video followed by sparse zero padding, served back by the emulator's CDN route.
    const { path: source, client, sessionId } = await largeFileWorld(SIZE, (w) => (world = w));
    const [uploaded] = await client.uploadFile(sessionId, source);
    expect(uploaded?.cdnUrl).toBeTruthy();

    const destination = join(world.dir, 'out', 'big.mp4');
    await mkdir(join(world.dir, 'out'));
    const {
      result: received,
      progress,
      growth,
    } = await whileSamplingMemory((onProgress) =>
      client.download(uploaded!.cdnUrl, destination, { onProgress }),
    );

    expect(received).toBe(SIZE);
    expect((await stat(destination)).size).toBe(SIZE);
    expect(await sha256(destination)).toBe(await sha256(source));
    // Only the finished file is left: no temp part beside it.
    expect(await readdir(join(world.dir, 'out'))).toEqual(['big.mp4']);
    expect(progress.length).toBeGreaterThan(100);
    expect(progress.at(-1)).toBe(SIZE);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] as number);
    // The emulator sending the file runs in this process too, so this bounds both sides.
    expect(growth).toBeLessThan(SIZE / 4);
  });
});
