import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `video-inbox retry` may run while the daemon runs, in another process. It leaves a mark per content
 * hash in the state dir; intake consumes the mark and converts that content again even though the
 * journal says it was done. Files, not IPC, so it works whether or not the daemon is up.
 */
export interface RetryMarks {
  add(contentHash: string): Promise<void>;
  /** True (and the mark removed) when a retry was asked for this content. */
  consume(contentHash: string): Promise<boolean>;
}

export function retryMarks(stateDir: string): RetryMarks {
  const dir = join(stateDir, 'retry');
  const path = (hash: string) => join(dir, `${hash.replace(/[^a-f0-9]/gi, '')}.mark`);
  return {
    async add(hash) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(path(hash), `${new Date().toISOString()}\n`);
    },
    async consume(hash) {
      try {
        await stat(path(hash));
      } catch {
        return false;
      }
      await rm(path(hash), { force: true });
      return true;
    },
  };
}
