import { access } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MediaInfo } from '../engines/engine.js';
import { probeMedia } from '../engines/local/probe.js';
import { hashFile } from '../jobs/content-hash.js';
import type { JobRecord } from '../jobs/job.js';
import type { JobPlan } from '../jobs/job-plan.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { setAside } from '../outbox/failed.js';
import { applyAfterAction } from '../outbox/source-action.js';
import { matchesRule } from '../rules/match.js';
import { resolveJob } from '../rules/resolve-job.js';
import type { FolderRules } from '../daemon/intake.js';
import type { CompleteFile } from '../watch/types.js';
import type { DoneSet } from './done-set.js';
import { clusterJobId } from './job-id.js';

/**
 * Intake on a cluster node: a complete file becomes a BullMQ job whose id is its content hash and
 * rule version, so three nodes finding the same video make one job. Nothing is recorded in the
 * node's journal (any node may finish the job); the queue is the record.
 *
 * Seam: the same checks as src/daemon/intake.ts (rule match, empty file, ffprobe, done content),
 * minus the journal lookups that have cluster twins here (done-set, deterministic id). When intake
 * becomes a use case with a job-store port, this file shrinks to `enqueue` + `doneSet`.
 */
export interface ClusterIntakeDeps {
  folder(name: string): FolderRules | undefined;
  language: string;
  ffprobe: string | undefined;
  doneSet: DoneSet;
  /** Adds the job unless a job with its id exists; true when this call added it. */
  enqueue(record: JobRecord): Promise<boolean>;
  /** Only one node sets a broken file aside (the others would find it gone and complain). */
  claim(key: string): Promise<boolean>;
  notifier: Notifier;
  clock: Clock;
  log: Logger;
}

export type ClusterIntakeResult =
  | { kind: 'queued'; id: string; added: boolean }
  | { kind: 'duplicate'; archivedTo?: string }
  | { kind: 'failed'; setAsideTo?: string }
  /** The folder's rule file never loaded: the file stays and is offered again. */
  | { kind: 'waiting' }
  | { kind: 'ignored'; reason: 'unknown-folder' | 'no-match' | 'gone' };

const VIDEO_EXTENSIONS = new Set([
  '.mp4',
  '.mov',
  '.avi',
  '.webm',
  '.mkv',
  '.m4v',
  '.mpg',
  '.mpeg',
  '.wmv',
  '.flv',
  '.3gp',
  '.mts',
  '.m2ts',
  '.ts',
]);

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
  if (!matchesRule(rule, name)) return { kind: 'ignored', reason: 'no-match' };

  const failWith = async (error: VideoInboxError): Promise<ClusterIntakeResult> => {
    if (!(await deps.claim(`aside:${file.path}:${file.size}:${file.mtimeMs}`))) return { kind: 'failed' };
    const record = { code: error.code, message: error.message, hint: error.hint };
    const setAsideTo = await setAside(file.path, folder.inbox, record).catch(() => undefined);
    log.warn({ code: error.code, setAsideTo }, error.message);
    deps.notifier.notify(
      notices.failed(file.path, error.hint ? `${error.message}. ${error.hint}` : error.message, setAsideTo),
    );
    return { kind: 'failed', setAsideTo };
  };

  if (file.size === 0) {
    return failWith(
      new VideoInboxError('EMPTY_FILE', 'The file is empty (0 bytes)', {
        hint: 'Copy the video again; the copy that arrived had no content.',
      }),
    );
  }
  let contentHash: string;
  try {
    contentHash = await hashFile(file.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'ignored', reason: 'gone' };
    throw err;
  }

  const done = await deps.doneSet.get(contentHash, version);
  if (done) {
    if (rule.after === 'keep') return { kind: 'duplicate' };
    const archivedTo = await applyAfterAction(file.path, folder.inbox, 'archive');
    log.info(
      { of: done.jobId, output: done.output, archivedTo },
      'Already converted earlier; archived without converting again',
    );
    return { kind: 'duplicate', archivedTo };
  }

  let media: MediaInfo | undefined;
  if (deps.ffprobe) {
    try {
      media = await probeMedia(file.path, deps.ffprobe);
    } catch (err) {
      if (!(await exists(file.path))) return { kind: 'ignored', reason: 'gone' };
      return failWith(notAVideo(name, toVideoInboxError(err).message));
    }
    if (!media.video && VIDEO_EXTENSIONS.has(extname(name).toLowerCase()))
      return failWith(notAVideo(name, 'it has no video stream'));
  }

  const resolved = resolveJob(
    rule,
    { path: file.path, sizeBytes: file.size, media },
    folder.name,
    new Date(deps.clock.now()),
    { language: deps.language },
  );
  const plan: JobPlan = {
    inbox: folder.inbox,
    outbox: folder.outbox,
    outputName: resolved.outputName,
    after: resolved.after,
    engine: resolved.engine,
    instructions: resolved.instructions,
    skill: resolved.skill,
    language: resolved.language,
    quality: resolved.quality,
    local: resolved.local,
    sourceDurationSec: media?.durationSec,
  };
  const now = deps.clock.now();
  const id = clusterJobId(contentHash, version);
  const added = await deps.enqueue({
    id,
    folder: folder.name,
    source: file.path,
    sourceName: name,
    size: file.size,
    mtimeMs: file.mtimeMs,
    contentHash,
    ruleVersion: version,
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

function notAVideo(name: string, why: string): VideoInboxError {
  return new VideoInboxError('NOT_A_VIDEO', `${name} is not a video that can be read: ${why}`, {
    hint: 'Check that the file plays in a video player. Accepted videos: mp4, mov, avi, webm, mkv.',
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
