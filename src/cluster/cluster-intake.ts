import { basename } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import { examineFile } from '../intake/examine.js';
import type { FolderRules } from '../intake/types.js';
import type { Notifier } from '../notify/notifier.js';
import { failSource } from '../outbox/fail-source.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import { applyAfterAction } from '../outbox/source-action.js';
import type { CompleteFile } from '../watch/types.js';
import type { DoneSet } from './done-set.js';
import { clusterJobId } from './job-id.js';

/**
 * Intake on a cluster node: the same checks as on one host (`examineFile`: rule match, empty file,
 * content hash, ffprobe, the plan), then the file becomes a BullMQ job whose id is its content hash
 * and rule version, so three nodes finding the same video make one job. Nothing is recorded in the
 * node's journal (any node may finish the job); the queue and the done-set are the record.
 */
export interface ClusterIntakeDeps {
  folder(name: string): FolderRules | undefined;
  fs: OutboxFs;
  language: string;
  ffprobe: string | undefined;
  /** A link into the state dir is never followed. */
  stateDir?: string;
  doneSet: DoneSet;
  /** Adds the job unless a job with its id exists; true when this call added it. */
  enqueue(record: JobRecord): Promise<boolean>;
  /** Only one node sets a broken file aside (the others would find it gone and complain). */
  claim(key: string): Promise<boolean>;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
  /** The daemon's config when not the default, named in the commands it prints. */
  printedConfig?: string;
}

export type ClusterIntakeResult =
  | { kind: 'queued'; id: string; added: boolean }
  | { kind: 'duplicate'; archivedTo?: string }
  | { kind: 'failed'; setAsideTo?: string }
  /** The folder's rule file never loaded: the file stays and is offered again. */
  | { kind: 'waiting' }
  | { kind: 'ignored'; reason: 'unknown-folder' | 'no-match' | 'gone' };

/** Throws when Redis cannot be reached: the caller keeps the file in the inbox and offers it again. */
export async function clusterIntake(
  file: CompleteFile,
  deps: ClusterIntakeDeps,
): Promise<ClusterIntakeResult> {
  const entry = deps.folder(file.folder);
  if (!entry) return { kind: 'ignored', reason: 'unknown-folder' };
  const { folder, rule, version } = entry;
  const name = basename(file.path);
  const log = deps.log.child({ folder: folder.name, file: name });
  if (!rule || !version) {
    log.warn({ rules: folder.rules }, 'File waits until the folder rule file loads');
    return { kind: 'waiting' };
  }
  const examined = await examineFile<ClusterIntakeResult>(file, folder, rule, deps, {
    afterHash: async (contentHash) => {
      const done = await deps.doneSet.get(contentHash, version);
      if (!done) return undefined;
      if (rule.after === 'keep') return { kind: 'duplicate' };
      const archivedTo = await applyAfterAction(file.path, folder.inbox, 'archive', { fs: deps.fs });
      log.info(
        { of: done.jobId, output: done.output, archivedTo },
        'Already converted earlier; archived without converting again',
      );
      return { kind: 'duplicate', archivedTo };
    },
  });
  switch (examined.kind) {
    case 'stopped':
      return examined.result;
    case 'no-match':
    case 'gone':
      return { kind: 'ignored', reason: examined.kind };
    case 'rejected':
      return reject(file, folder.inbox, examined.error, deps, log);
  }
  return queue(
    file,
    examined.plan,
    { contentHash: examined.contentHash, version, folder: folder.name },
    deps,
    log,
  );
}

async function reject(
  file: CompleteFile,
  inbox: string,
  error: VideoInboxError,
  deps: ClusterIntakeDeps,
  log: Logger,
): Promise<ClusterIntakeResult> {
  if (!(await deps.claim(`aside:${file.path}:${file.size}:${file.mtimeMs}`))) return { kind: 'failed' };
  const setAsideTo = await failSource(
    { ...deps, log },
    { source: file.path, inbox, error, setAside: true },
    async (movedTo) => {
      log.warn({ code: error.code, setAsideTo: movedTo }, error.message);
    },
  );
  return { kind: 'failed', setAsideTo };
}

async function queue(
  file: CompleteFile,
  plan: JobPlan,
  about: { contentHash: string; version: string; folder: string },
  deps: ClusterIntakeDeps,
  log: Logger,
): Promise<ClusterIntakeResult> {
  const now = deps.clock.now();
  const id = clusterJobId(about.contentHash, about.version);
  const added = await deps.enqueue({
    id,
    folder: about.folder,
    source: file.path,
    sourceName: basename(file.path),
    size: file.size,
    mtimeMs: file.mtimeMs,
    contentHash: about.contentHash,
    ruleVersion: about.version,
    engine: plan.engine,
    state: 'queued',
    remote: {},
    attempts: 0,
    plan,
    createdAt: now,
    updatedAt: now,
  });
  if (added) log.info({ job: id, engine: plan.engine }, 'File taken');
  else log.debug({ job: id }, 'File already queued by a node');
  return { kind: 'queued', id, added };
}
