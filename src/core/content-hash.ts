import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/**
 * The content identity of a file: lowercase hex sha256 of its bytes, streamed so a 20 GB video costs
 * one buffer of memory. Names and mtimes are not identity (a renamed or re-copied file is the same
 * work, and must not be paid for twice).
 */
export async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash, signal ? { signal } : {});
  return hash.digest('hex');
}
