import { shellWord } from '../core/cli-command.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { JobRecord } from '../domain/job.js';
import { failSource } from '../outbox/fail-source.js';
import { applyAfterAction } from '../outbox/source-action.js';
import type { Rule } from '../rules/rule.js';
import type { Base, IntakeResult } from './types.js';

/** Who a job is about: the file as taken (a held job keeps its id when it is taken for real). */
export function identity(
  b: Pick<Base, 'deps' | 'file' | 'folder' | 'name' | 'reusable'>,
  hash: string,
  rv: string,
) {
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

/** A file held until its folder's rule file loads (a held job is reused when the file comes again). */
export async function holdForRules(b: Base): Promise<IntakeResult> {
  if (b.reusable) return { kind: 'held', job: b.reusable };
  const job = await b.deps.journal.create({
    ...identity(b, '', ''),
    engine: 'nemo',
    state: 'held',
    heldReason: 'rules',
    message: `Waiting: the rule file ${b.folder.rules} has not loaded`,
  });
  b.log.warn({ rules: b.folder.rules }, 'File held until the folder rule file loads');
  return { kind: 'held', job };
}

export function notAVideo(name: string, why: string): VideoInboxError {
  return new VideoInboxError('NOT_A_VIDEO', `${name} is not a video that can be read: ${why}`, {
    hint: 'Check that the file plays in a video player and was copied completely.',
  });
}

export async function fail(
  b: Base,
  ruleVersion: string,
  error: VideoInboxError,
  contentHash = '',
): Promise<IntakeResult> {
  let job: JobRecord | undefined;
  const setAsideTo = await failSource(
    { ...b.deps, log: b.log },
    { source: b.file.path, inbox: b.folder.inbox, error, setAside: true },
    async (movedTo, errorRecord) => {
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
        setAsideTo: movedTo,
        message: movedTo ? `Moved to ${movedTo}` : undefined,
      };
      job = b.reusable
        ? await b.deps.journal.update(b.reusable.id, fields)
        : await b.deps.journal.create({ ...fields, id: b.deps.newId() });
      b.log.warn({ code: error.code, setAsideTo: movedTo }, error.message);
    },
  );
  return { kind: 'failed', job: job!, setAsideTo };
}

/**
 * Content already converted under this rule version. The copy is archived (never deleted: it may be
 * the user's only other copy) unless the rule keeps sources, and a person can force it with `retry`.
 */
export async function duplicate(b: Base, of: JobRecord, after: Rule['after']): Promise<IntakeResult> {
  if (after === 'keep') {
    b.log.debug({ of: of.id }, 'Already converted; nothing to do');
    return { kind: 'duplicate', of };
  }
  let archivedTo: string | undefined;
  try {
    archivedTo = await applyAfterAction(b.file.path, b.folder.inbox, 'archive', { fs: b.deps.fs });
  } catch (err) {
    // A blocked _done/ is said once; the copy stays (nothing is lost) and is not offered again.
    if (!b.deps.blockedFolders?.report(toVideoInboxError(err))) throw err;
    b.log.info(
      { of: of.id, output: of.output },
      'Already converted earlier; left in the inbox (_done/ is blocked)',
    );
    return { kind: 'duplicate', of };
  }
  // The command names the archived copy: `retry` needs a file, and this is the one to convert again.
  const force = archivedTo ? ` (use \`video-inbox retry ${shellWord(archivedTo)}\` to force)` : '';
  b.log.info(
    { of: of.id, output: of.output, archivedTo },
    `Already converted earlier; archived without converting again${force}`,
  );
  return { kind: 'duplicate', of, archivedTo };
}
