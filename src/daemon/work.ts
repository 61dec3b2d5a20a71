import type { IntakeDeps } from '../intake/intake.js';
import type { CompleteFile } from '../watch/types.js';

/** What became of a file taken: enough for the watcher to know whether it must offer it again. */
export interface Taken {
  kind: string;
  /** Why an `ignored` file was left alone (`no-match`: no rule takes it, looked at again on a rule change). */
  reason?: string;
  setAsideTo?: string;
  archivedTo?: string;
}

/**
 * Where the daemon's jobs run: the local pipeline over the journal (one host), or the cluster's
 * queues (`cluster:` configured). The daemon's wiring picks one; intake, live reload and stop see
 * only this.
 */
export interface Work {
  /** A complete file through intake onto this work's queue (the local one is given intake's ports). */
  take(file: CompleteFile, local: IntakeDeps): Promise<Taken | undefined>;
  setLimits(limits: { concurrency: number; local: number }): void;
  /** No new jobs; running ones checkpoint within the grace. */
  stop(graceMs: number): Promise<void>;
}
