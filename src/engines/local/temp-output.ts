import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * A hidden name beside `destination` (same folder, so the final rename is atomic and never crosses
 * devices), ending in `.part` so nothing mistakes it for a finished MP4. The source name is not
 * reused: it may already be near the file-name length limit.
 */
export function tempPathBeside(destination: string, id: string = randomUUID()): string {
  return join(dirname(destination), `.video-inbox-${id}.mp4.part`);
}

/** Flushes a written file to the disk, so a power cut after the rename cannot leave an empty MP4. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
