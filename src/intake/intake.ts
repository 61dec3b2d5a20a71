import { linkVerdict } from './link-policy.js';
import { basename, extname } from 'node:path';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import { ACTIVE_STATES, type JobPlan, type JobRecord } from '../domain/job.js';
import type { MediaInfo } from '../domain/media.js';
import { probeMedia } from '../engines/local/probe.js';
import { hashFile } from '../jobs/content-hash.js';
import type { Journal } from '../jobs/journal.js';
import { matchesRule } from '../rules/match.js';
import { resolveJob } from '../rules/resolve-job.js';
import type { Rule } from '../rules/rule.js';
import type { CompleteFile } from '../watch/types.js';
import { duplicate, fail, holdForRules, identity, notAVideo } from './outcomes.js';
import type { Base, IntakeDeps, IntakeResult } from './types.js';

export type { FolderRules, IntakeDeps, IntakeResult } from './types.js';

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

  const base: Base = { deps, file, folder, name, reusable, log };
  if (!rule || !version) return holdForRules(base);
  if (!matchesRule(rule, name)) {
    log.debug('No rule matches this file; left alone');
    return { kind: 'ignored', reason: 'no-match' };
  }
  const refused = await refusedLink(file.path, folder.inbox, deps.fs);
  if (refused) return fail(base, version, refused);
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

  return hashAndClaim(base, rule, version);
}

/**
 * Hashes the file and claims its content, unless another copy of it is being converted (then this
 * one waits, to be a duplicate of it). Checked before the retry mark is consumed, so a mark waits
 * with its file.
 */
async function hashAndClaim(base: Base, rule: Rule, version: string): Promise<IntakeResult> {
  const { deps, file, log } = base;
  let contentHash: string;
  let taken: TakenFile;
  try {
    // Stat'ed before it is read: any write while hashing moves its ctime, so a later check doubts it.
    const st = await deps.fs.stat(file.path);
    taken = { size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino, ctimeMs: st.ctimeMs };
    contentHash = await hashFile(file.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'ignored', reason: 'gone' };
    throw err;
  }
  const claim = `${contentHash}:${version}`;
  const twin = activeCopy(deps.journal, contentHash, version, file.path);
  if (twin || deps.taking.has(claim)) {
    log.info({ of: twin?.id }, 'Another copy of this video is being converted; this one waits for it');
    return { kind: 'waiting', for: twin };
  }
  deps.taking.add(claim);
  try {
    return await take(base, rule, version, contentHash, taken);
  } finally {
    deps.taking.delete(claim);
  }
}

/** The rest of intake, for content no other copy is being converted for. */
/** The source as it was hashed: its stamps and place on disk, recorded as the job's identity. */
type TakenFile = Pick<JobRecord, 'size' | 'mtimeMs' | 'dev' | 'ino' | 'ctimeMs'>;

async function take(
  base: Base,
  rule: Rule,
  version: string,
  contentHash: string,
  taken: TakenFile,
): Promise<IntakeResult> {
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
    ...taken,
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

/** The reason a symlinked entry is set aside (see linkVerdict), or undefined for a file to take. */
async function refusedLink(
  path: string,
  inbox: string,
  fs: IntakeDeps['fs'],
): Promise<VideoInboxError | undefined> {
  const st = await fs.lstat(path).catch(() => undefined);
  if (!st?.isSymbolicLink()) return undefined;
  const target = await fs.realpath(path).then(
    (real) => ({ real }),
    (err: unknown) => ({ errno: (err as NodeJS.ErrnoException).code ?? 'ENOENT' }),
  );
  const inboxReal = await fs.realpath(inbox).catch(() => inbox);
  const verdict = linkVerdict(inboxReal, target);
  if (verdict.kind === 'take') return undefined;
  return new VideoInboxError('LINK_REFUSED', verdict.message, { hint: verdict.hint, retryable: false });
}
