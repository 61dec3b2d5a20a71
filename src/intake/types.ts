import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { FolderConfig } from '../config/config.js';
import type { JobRecord } from '../domain/job.js';
import type { MediaInfo } from '../domain/media.js';
import type { Journal } from '../jobs/journal.js';
import type { Notifier } from '../notify/notifier.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import type { Rule } from '../rules/rule.js';
import type { CompleteFile } from '../watch/types.js';
import type { RetryMarks } from './retry-marks.js';

/** A folder as intake sees it: its config and its rule, when the rule file ever loaded. */
export interface FolderRules {
  folder: FolderConfig;
  rule: Rule | undefined;
  version: string | undefined;
}

export interface IntakeDeps {
  journal: Journal;
  fs: OutboxFs;
  folder(name: string): FolderRules | undefined;
  language: string;
  ffprobe: string | undefined;
  /** A link into the state dir is never followed. */
  stateDir?: string;
  retryMarks: RetryMarks;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  newId(): string;
  /**
   * Content (hash and rule version) being taken right now by another intake. Two copies dropped
   * together are hashed side by side, before either is in the journal; this set closes that gap.
   */
  taking: Set<string>;
  /** Says once per path that a `_done`/`_failed` is blocked by a file. */
  blockedFolders?: BlockedFolderReporter;
  /** The daemon's config when not the default, named in the commands it prints. */
  printedConfig?: string;
}

export type IntakeResult =
  /** `media`: intake's probe of the source, for the engine (see FreshProbes); not journaled. */
  | { kind: 'queued'; job: JobRecord; media?: MediaInfo }
  | { kind: 'held'; job: JobRecord }
  | { kind: 'failed'; job: JobRecord; setAsideTo?: string }
  | { kind: 'duplicate'; of: JobRecord; archivedTo?: string }
  /** Another copy of this content is being converted; offer the file again later (it is then a duplicate). */
  | { kind: 'waiting'; for?: JobRecord }
  | { kind: 'ignored'; reason: 'unknown-folder' | 'no-match' | 'active' | 'gone' };

/** One file on its way through intake, with what is known about it so far. */
export interface Base {
  deps: IntakeDeps;
  file: CompleteFile;
  folder: FolderConfig;
  name: string;
  reusable: JobRecord | undefined;
  log: Logger;
}
