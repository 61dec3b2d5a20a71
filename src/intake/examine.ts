import { basename } from 'node:path';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { FolderConfig } from '../config/config.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { MediaInfo } from '../domain/media.js';
import { probeMedia } from '../engines/local/probe.js';
import { hashFile } from '../core/content-hash.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import { matchesRule } from '../rules/match.js';
import { resolveJob } from '../rules/resolve-job.js';
import type { Rule } from '../rules/rule.js';
import { isCloudContainer, unmatchedVideoMessage, videoExtensionOf } from '../rules/video-extensions.js';
import type { CompleteFile } from '../watch/types.js';
import { checkLink } from './link-check.js';
import { ignoredReason } from './ignored.js';
import { notAVideo } from './outcomes.js';

export interface ExamineDeps {
  fs: OutboxFs;
  language: string;
  ffprobe: string | undefined;
  clock: Clock;
  /** The state dir: a link into it is never followed (see checkLink). */
  stateDir?: string;
}

/**
 * Where the record of jobs lives decides the steps between the checks: the journal (one host) or the
 * cluster's queue and done-set. A step returns its own outcome to stop there, or undefined to go on.
 */
export interface ExamineSteps<T> {
  /** After the rule matched and the file is not empty, before it is read in full. */
  beforeHash?(): T | undefined;
  /** With the content hash: a copy being converted, a content converted before. */
  afterHash(contentHash: string): Promise<T | undefined>;
}

export type Examined<T> =
  | { kind: 'stopped'; result: T }
  /** Not a video, and no rule takes it: left in the inbox (`reason` says so, as `status` does). */
  | { kind: 'no-match'; reason: string | undefined }
  /** The file left the inbox while it was examined (another node or a person moved it). */
  | { kind: 'gone' }
  /** The file cannot be converted as it is (empty, not a video): set it aside with this reason. */
  | { kind: 'rejected'; error: VideoInboxError; contentHash: string }
  /** `media`: what ffprobe said of the file (when it could), to hand on so it is not probed again. */
  | { kind: 'planned'; plan: JobPlan; contentHash: string; taken: TakenFile; media?: MediaInfo };

/** The source as it was hashed: its stamps and place on disk, recorded as the job's identity. */
export type TakenFile = Pick<JobRecord, 'size' | 'mtimeMs' | 'dev' | 'ino' | 'ctimeMs'>;

/**
 * The checks every intake makes, on one host or on a cluster node: the rule matches, the file is not
 * empty, its content hash, ffprobe says it is a video, and the job plan the rule makes of it.
 */
export async function examineFile<T>(
  file: CompleteFile,
  folder: FolderConfig,
  rule: Rule,
  deps: ExamineDeps,
  steps: ExamineSteps<T>,
): Promise<Examined<T>> {
  const screened = await screen(file, folder, rule, deps);
  if (screened !== undefined) return screened;
  const early = steps.beforeHash?.();
  if (early !== undefined) return { kind: 'stopped', result: early };
  // The probe runs beside the hash (both only read the file): its process start is most of intake's
  // time, and waiting for the hash first would add the two. Stopped if the hash step ends intake.
  const probeStop = new AbortController();
  const read = await hashBesideProbe(file.path, deps, probeStop);
  if (read === 'gone') return { kind: 'gone' };
  const { contentHash, taken, probe } = read;
  // A copy waiting for its twin, content converted before, or a failed check: the probe is not needed.
  const stop = await steps.afterHash(contentHash).catch((err: unknown) => {
    probeStop.abort();
    throw err;
  });
  if (stop !== undefined) {
    probeStop.abort();
    return { kind: 'stopped', result: stop };
  }
  const media = probe ? await probeVerdict(file.path, await probe, deps) : undefined;
  if (media?.kind === 'gone') return { kind: 'gone' };
  if (media?.kind === 'rejected') return { kind: 'rejected', error: media.error, contentHash };
  const probed = media?.media;
  return {
    kind: 'planned',
    plan: planFor(file, folder, rule, probed, deps),
    contentHash,
    taken,
    ...(probed ? { media: probed } : {}),
  };
}

/** The checks made before the file is read: the rule matches, it is not a refused link, not empty. */
async function screen(
  file: CompleteFile,
  folder: FolderConfig,
  rule: Rule,
  deps: ExamineDeps,
): Promise<Examined<never> | undefined> {
  const name = basename(file.path);
  if (!matchesRule(rule, name)) {
    const unmatched = unmatchedVideoMessage({
      folder: folder.name,
      fileName: name,
      match: rule.match,
      ruleFile: folder.rules,
    });
    if (unmatched === undefined)
      return {
        kind: 'no-match',
        reason: ignoredReason({ folder: folder.name, rel: name, match: rule.match }),
      };
    // A video nobody takes must not sit in the inbox unnoticed: set aside, saying what to change
    // (the message names the pattern and the rule file; the hint is the step after).
    const error = new VideoInboxError('NO_MATCHING_RULE', unmatched, {
      hint: 'Then move the file back from _failed/ into the inbox.',
    });
    return { kind: 'rejected', error, contentHash: '' };
  }
  // Never hashed, probed or uploaded: a link out of its inbox, a loop or a dangling link.
  const refused = await refusedLink(file.path, folder, deps);
  if (refused) return { kind: 'rejected', error: refused, contentHash: '' };
  if (file.size === 0) {
    const error = new VideoInboxError('EMPTY_FILE', 'The file is empty (0 bytes)', {
      hint: 'Copy the video again; the copy that arrived had no content.',
    });
    return { kind: 'rejected', error, contentHash: '' };
  }
  return undefined;
}

/** The file's identity stamps and content hash, with ffprobe started beside the hash. */
async function hashBesideProbe(
  path: string,
  deps: ExamineDeps,
  probeStop: AbortController,
): Promise<'gone' | { contentHash: string; taken: TakenFile; probe: Promise<Probed> | undefined }> {
  try {
    // Stat'ed before it is read: any write while hashing moves its ctime, so a later check doubts it.
    const st = await deps.fs.stat(path);
    const taken = { size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino, ctimeMs: st.ctimeMs };
    const probe = deps.ffprobe ? startProbe(path, deps.ffprobe, probeStop.signal) : undefined;
    return { contentHash: await hashFile(path), taken, probe };
  } catch (err) {
    probeStop.abort();
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
}

/** What the probe says: the media, or why this is not a video (or that the file has gone since). */
async function probeVerdict(
  path: string,
  probed: Probed,
  deps: ExamineDeps,
): Promise<
  { kind: 'media'; media: MediaInfo } | { kind: 'gone' } | { kind: 'rejected'; error: VideoInboxError }
> {
  const name = basename(path);
  if (!probed.ok) {
    if (!(await exists(deps.fs, path))) return { kind: 'gone' };
    return { kind: 'rejected', error: notAVideo(name, toVideoInboxError(probed.error).message) };
  }
  if (!probed.media.video && videoExtensionOf(name) !== undefined) {
    return { kind: 'rejected', error: notAVideo(name, 'it has no video stream') };
  }
  return { kind: 'media', media: probed.media };
}

function planFor(
  file: CompleteFile,
  folder: FolderConfig,
  rule: Rule,
  media: MediaInfo | undefined,
  deps: ExamineDeps,
): JobPlan {
  const resolved = resolveJob(
    rule,
    { path: file.path, sizeBytes: file.size, media },
    folder.name,
    new Date(deps.clock.now()),
    { language: deps.language },
  );
  return {
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
    sourceHadAudio: media ? media.audio !== undefined : undefined,
    cloudIntake: resolved.engine === 'nemo' && !isCloudContainer(basename(file.path)) ? true : undefined,
  };
}

type Probed = { ok: true; media: MediaInfo } | { ok: false; error: unknown };

/** ffprobe started now, its failure kept as a value so an unawaited probe is never an unhandled rejection. */
function startProbe(path: string, ffprobe: string, signal: AbortSignal): Promise<Probed> {
  return probeMedia(path, ffprobe, signal).then(
    (media) => ({ ok: true, media }),
    (error: unknown) => ({ ok: false, error }),
  );
}

async function exists(fs: OutboxFs, path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

/** The reason a symlinked entry is set aside (see linkVerdict), or undefined for a file to take. */
async function refusedLink(
  path: string,
  folder: FolderConfig,
  deps: ExamineDeps,
): Promise<VideoInboxError | undefined> {
  const link = await checkLink(path, folder, deps.stateDir, deps.fs);
  if (!link || link.verdict.kind === 'take') return undefined;
  return new VideoInboxError('LINK_REFUSED', link.verdict.message, {
    hint: link.verdict.hint,
    retryable: false,
  });
}
