import PQueue from 'p-queue';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { intake, type IntakeDeps } from '../intake/intake.js';
import type { Pipeline } from '../queue/pipeline.js';
import type { CompleteFile } from '../watch/types.js';

export interface TakeFilesDeps {
  /** Intake's ports as of now (settings may have changed); the `taking` set is this unit's own. */
  intake(): Omit<IntakeDeps, 'taking'>;
  pipeline: Pipeline;
  log: Logger;
  /** The watcher offers a file once per version; a file it must offer again is forgotten there. */
  forget(path: string): void;
}

export interface TakeFiles {
  take(file: CompleteFile): void;
  /** Takes no new files and drops the ones waiting. */
  stop(): void;
  /** Resolves once the files being taken are done. */
  idle(): Promise<void>;
}

/**
 * The watcher's callback only enqueues here: intake (rules, probe, hash, journal) runs two at a time
 * off the event path, and a taken job goes to the pipeline.
 */
export function takeFiles(deps: TakeFilesDeps): TakeFiles {
  const queue = new PQueue({ concurrency: 2 });
  const taking = new Set<string>();
  let stopped = false;

  async function takeOne(file: CompleteFile): Promise<void> {
    try {
      const result = await intake(file, { ...deps.intake(), taking });
      if (result.kind === 'queued') deps.pipeline.submit(result.job);
      // The watcher offers a file once per version; these must be offered again by a rescan.
      if (result.kind === 'waiting') deps.forget(file.path);
      if (result.kind === 'failed' && result.setAsideTo) deps.forget(file.path);
      if (result.kind === 'duplicate' && result.archivedTo) deps.forget(file.path);
    } catch (err) {
      if (stopped) return;
      // The file stays in the inbox; the next rescan offers it again.
      deps.forget(file.path);
      deps.log.error(
        { file: file.path, err: toVideoInboxError(err).message },
        'Could not take the file; it will be tried again',
      );
    }
  }

  return {
    take(file) {
      if (!stopped) void queue.add(() => takeOne(file));
    },
    stop() {
      stopped = true;
      queue.clear();
    },
    idle: () => queue.onIdle(),
  };
}
