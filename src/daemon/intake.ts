import { basename, extname } from 'node:path';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MediaInfo } from '../engines/engine.js';
import { probeMedia } from '../engines/local/probe.js';
import { hashFile } from '../jobs/content-hash.js';
import { ACTIVE_STATES, type JobRecord } from '../jobs/job.js';
import type { JobPlan } from '../jobs/job-plan.js';
import type { Journal } from '../jobs/journal.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { setAside } from '../outbox/failed.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import { applyAfterAction } from '../outbox/source-action.js';
import { matchesRule } from '../rules/match.js';
import { resolveJob } from '../rules/resolve-job.js';
import type { Rule } from '../rules/rule.js';
import type { FolderConfig } from '../config/config.js';
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
  folder(name: string): FolderRules | undefined;
  language: string;
  ffprobe: string | undefined;
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
  /** Reports a `_done`/`_failed` blocked by a file, once per path. */
  blockedFolders?: BlockedFolderReporter;
}

export type IntakeResult =
  | { kind: 'queued'; job: JobRecord }
  | { kind: 'held'; job: JobRecord }
  | { kind: 'failed'; job: JobRecord; setAsideTo?: string }
  | { kind: 'duplicate'; of: JobRecord; archivedTo?: string }
  /** Another copy of this content is being converted; offer the file again later (it is then a duplicate). */
  | { kind: 'waiting'; for?: JobRecord }
  | { kind: 'ignored'; reason: 'unknown-folder' | 'no-match' | 'active' | 'gone' };

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

/**
 * Turns a complete file into a journaled job, or an explained outcome. Nothing is queued before the
 * journal has it, and the content hash is checked so a renamed or re-copied file is not paid twice.
 */
export async function intake(file: CompleteFile, deps: IntakeDeps): Promise<IntakeResult> {
  const entry = deps.folder(file.folder);
  if (!entry) return { kind: 'ignored', reason: 'unknown-folder' };
  const { folder, rule, version } = entry;
  const name = basename(file.path);
  const log = deps.log.child({ folder: folder.name, file: name });
  const active = deps.journal.findActiveBySource(file.path);
  const reusable = active && active.state === 'held' && active.heldReason === 'rules' ? active : undefined;
  if (active && !reusable) return { kind: 'ignored', reason: 'active' };

  if (!rule || !version) {
    if (reusable) return { kind: 'held', job: reusable };
    const job = await deps.journal.create({
      ...identity({ deps, file, folder, name, reusable }, '', ''),
      engine: 'nemo',
      state: 'held',
      heldReason: 'rules',
      message: `Waiting: the rule file ${folder.rules} has not loaded`,
    });
    log.warn({ rules: folder.rules }, 'File held until the folder rule file loads');
    return { kind: 'held', job };
  }
  if (!matchesRule(rule, name)) {
    log.debug('No rule matches this file; left alone');
    return { kind: 'ignored', reason: 'no-match' };
  }

  const base = { deps, file, folder, name, reusable, log };
  if (file.size === 0) {
    return fail(
      base,
      version,
      new VideoInboxError('EMPTY_FILE', 'The file is empty (0 bytes)', {
        hint: 'Copy the video again; the copy that arrived had no content.',
      }),
    );
  }

  // A kept source offered again after a restart (same path, size and mtime as a done job) needs no
  // hashing, which would re-read every kept video at every start. Under any rule version: a rule edit
  // applies to videos dropped from then on, and never re-bills the kept ones behind the user's back
  // (`video-inbox retry FILE` converts one again on purpose).
  const known = deps.journal.findDoneBySource(file.path);
  if (known && rule.after === 'keep' && known.size === file.size && known.mtimeMs === file.mtimeMs) {
    log.debug({ of: known.id }, 'Already converted; nothing to do');
    return { kind: 'duplicate', of: known };
  }

  let contentHash: string;
  try {
    contentHash = await hashFile(file.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'ignored', reason: 'gone' };
    throw err;
  }

  // Checked before the retry mark is consumed, so a mark waits with its file.
  const claim = `${contentHash}:${version}`;
  const twin = activeCopy(deps.journal, contentHash, version, file.path);
  if (twin || deps.taking.has(claim)) {
    log.info({ of: twin?.id }, 'Another copy of this video is being converted; this one waits for it');
    return { kind: 'waiting', for: twin };
  }
  deps.taking.add(claim);
  try {
    return await take(base, rule, version, contentHash);
  } finally {
    deps.taking.delete(claim);
  }
}

/** The rest of intake, for content no other copy is being converted for. */
async function take(base: Base, rule: Rule, version: string, contentHash: string): Promise<IntakeResult> {
  const { deps, file, folder, name, reusable, log } = base;
  // A retry mark is consumed either way, so a stale one cannot force a later copy by surprise.
  const forced = await deps.retryMarks.consume(contentHash);
  const done = deps.journal.findDone(contentHash, version);
  if (done && !forced) {
    return duplicate(base, done, rule.after);
  }

  let media: MediaInfo | undefined;
  if (deps.ffprobe) {
    try {
      media = await probeMedia(file.path, deps.ffprobe);
    } catch (err) {
      return fail(base, version, notAVideo(name, toVideoInboxError(err).message), contentHash);
    }
    if (!media.video && VIDEO_EXTENSIONS.has(extname(name).toLowerCase())) {
      return fail(base, version, notAVideo(name, 'it has no video stream'), contentHash);
    }
  }

  const resolved = resolveJob(
    rule,
    { path: file.path, sizeBytes: file.size, media },
    folder.name,
    new Date(deps.clock.now()),
    {
      language: deps.language,
    },
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
  const fields = {
    ...identity(base, contentHash, version),
    engine: plan.engine,
    state: 'queued' as const,
    plan,
    message: undefined,
    heldReason: undefined,
  };
  const job = reusable ? await deps.journal.update(reusable.id, fields) : await deps.journal.create(fields);
  log.info({ job: job.id, engine: plan.engine }, 'File taken');
  return { kind: 'queued', job };
}

/** A job in progress for the same content under the same rule, from another source path. */
function activeCopy(journal: Journal, hash: string, version: string, path: string): JobRecord | undefined {
  return journal
    .list({ state: ACTIVE_STATES })
    .find((j) => j.contentHash === hash && j.ruleVersion === version && j.source !== path);
}

/** Who a job is about: the file as taken (a held job keeps its id when it is taken for real). */
function identity(b: Pick<Base, 'deps' | 'file' | 'folder' | 'name' | 'reusable'>, hash: string, rv: string) {
  return {
    id: b.reusable?.id ?? b.deps.newId(),
    folder: b.folder.name,
    source: b.file.path,
    sourceName: b.name,
    size: b.file.size,
    mtimeMs: b.file.mtimeMs,
    contentHash: hash,
    ruleVersion: rv,
  };
}

interface Base {
  deps: IntakeDeps;
  file: CompleteFile;
  folder: FolderConfig;
  name: string;
  reusable: JobRecord | undefined;
  log: Logger;
}

function notAVideo(name: string, why: string): VideoInboxError {
  return new VideoInboxError('NOT_A_VIDEO', `${name} is not a video that can be read: ${why}`, {
    hint: 'Check that the file plays in a video player. Accepted videos: mp4, mov, avi, webm, mkv.',
  });
}

async function fail(
  b: Base,
  ruleVersion: string,
  error: VideoInboxError,
  contentHash = '',
): Promise<IntakeResult> {
  const errorRecord = { code: error.code, message: error.message, hint: error.hint };
  const setAsideTo = await setAside(b.file.path, b.folder.inbox, errorRecord).catch((err: unknown) => {
    b.deps.blockedFolders?.report(toVideoInboxError(err));
    b.log.error(
      { err: toVideoInboxError(err).message },
      'Could not move the file to _failed/; it stays in the inbox',
    );
    return undefined;
  });
  const fields = {
    folder: b.folder.name,
    source: b.file.path,
    sourceName: b.name,
    size: b.file.size,
    mtimeMs: b.file.mtimeMs,
    contentHash,
    ruleVersion,
    engine: 'nemo' as const,
    state: 'failed' as const,
    error: errorRecord,
    message: setAsideTo ? `Moved to ${setAsideTo}` : undefined,
  };
  const job = b.reusable
    ? await b.deps.journal.update(b.reusable.id, fields)
    : await b.deps.journal.create({ ...fields, id: b.deps.newId() });
  b.log.warn({ code: error.code, setAsideTo }, error.message);
  b.deps.notifier.notify(
    notices.failed(b.file.path, error.hint ? `${error.message}. ${error.hint}` : error.message, setAsideTo),
  );
  return { kind: 'failed', job, setAsideTo };
}

/**
 * Content already converted under this rule version. The copy is archived (never deleted: it may be
 * the user's only other copy) unless the rule keeps sources, and a person can force it with `retry`.
 */
async function duplicate(b: Base, of: JobRecord, after: Rule['after']): Promise<IntakeResult> {
  if (after === 'keep') {
    b.log.debug({ of: of.id }, 'Already converted; nothing to do');
    return { kind: 'duplicate', of };
  }
  let archivedTo: string | undefined;
  try {
    archivedTo = await applyAfterAction(b.file.path, b.folder.inbox, 'archive');
  } catch (err) {
    // A blocked _done/ is said once; the copy stays (nothing is lost) and is not offered again.
    if (!b.deps.blockedFolders?.report(toVideoInboxError(err))) throw err;
    b.log.info(
      { of: of.id, output: of.output },
      'Already converted earlier; left in the inbox (_done/ is blocked)',
    );
    return { kind: 'duplicate', of };
  }
  b.log.info(
    { of: of.id, output: of.output, archivedTo },
    'Already converted earlier; archived without converting again (use `video-inbox retry` to force)',
  );
  return { kind: 'duplicate', of, archivedTo };
}
