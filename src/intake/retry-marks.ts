import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { Clock } from '../core/clock.js';
import { errnoCode, type OutboxFs } from '../outbox/outbox-fs.js';

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

export function retryMarks(stateDir: string, deps: { fs: OutboxFs; clock: Clock }): RetryMarks {
  const { fs } = deps;
  const dir = join(stateDir, 'retry');
  const path = (hash: string) => join(dir, `${hash.replace(/[^a-f0-9]/gi, '')}.mark`);
  return {
    async add(hash) {
      await fs.mkdir(dir, 0o700);
      await writeFileAtomic(fs, path(hash), `${new Date(deps.clock.now()).toISOString()}\n`);
    },
    async consume(hash) {
      try {
        await fs.stat(path(hash));
      } catch {
        return false;
      }
      await fs.unlink(path(hash)).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') throw err;
      });
      return true;
    },
  };
}
