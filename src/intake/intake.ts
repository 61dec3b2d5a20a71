import { basename } from 'node:path';
import { ACTIVE_STATES, type JobRecord } from '../domain/job.js';
import type { Journal } from '../jobs/journal.js';
import type { Rule } from '../rules/rule.js';
import type { CompleteFile } from '../watch/types.js';
import { examineFile } from './examine.js';
import { duplicate, fail, holdForRules, identity } from './outcomes.js';
import type { Base, IntakeDeps, IntakeResult } from './types.js';

export type { FolderRules, IntakeDeps, IntakeResult } from './types.js';

/**
 * Turns a complete file into a journaled job, or an explained outcome. Nothing is queued before the
 * journal has it, and the content hash is checked so a renamed or re-copied file is not paid twice.
 * The checks themselves (`examineFile`) are the ones a cluster node makes too.
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
  // Content (hash and rule version) this intake claimed; released once the job is in the journal.
  let claimed: string | undefined;
  try {
    const examined = await examineFile<IntakeResult>(file, folder, rule, deps, {
      beforeHash: () => knownKept(base, rule),
      afterHash: async (contentHash) => {
        const claim = `${contentHash}:${version}`;
        const twin = activeCopy(deps.journal, contentHash, version, file.path);
        if (twin || deps.taking.has(claim)) {
          log.info({ of: twin?.id }, 'Another copy of this video is being converted; this one waits for it');
          return { kind: 'waiting', for: twin };
        }
        deps.taking.add(claim);
        claimed = claim;
        // A retry mark is consumed either way, so a stale one cannot force a later copy by surprise.
        // Checked after the twin, so a mark waits with its file.
        const forced = await deps.retryMarks.consume(contentHash);
        const done = deps.journal.findDone(contentHash, version);
        return done && !forced ? duplicate(base, done, rule.after) : undefined;
      },
    });
    switch (examined.kind) {
      case 'stopped':
        return examined.result;
      case 'no-match':
        log.debug({ why: examined.reason }, 'No rule matches this file; left alone');
        return { kind: 'ignored', reason: 'no-match' };
      case 'gone':
        return { kind: 'ignored', reason: 'gone' };
      case 'rejected':
        return fail(base, version, examined.error, examined.contentHash);
    }
    const { plan } = examined;
    const fields = {
      ...identity(base, examined.contentHash, version),
      ...examined.taken,
      engine: plan.engine,
      state: 'queued' as const,
      plan,
      message: undefined,
      heldReason: undefined,
    };
    const job = reusable ? await deps.journal.update(reusable.id, fields) : await deps.journal.create(fields);
    log.info({ job: job.id, engine: plan.engine }, 'File taken');
    return { kind: 'queued', job, ...(examined.media ? { media: examined.media } : {}) };
  } finally {
    if (claimed) deps.taking.delete(claimed);
  }
}

/**
 * A kept source offered again after a restart (same path, size and mtime as a done job) needs no
 * hashing, which would re-read every kept video at every start. Under any rule version: a rule edit
 * applies to videos dropped from then on, and never re-bills the kept ones behind the user's back
 * (`video-inbox retry FILE` converts one again on purpose).
 */
function knownKept(base: Base, rule: Rule): IntakeResult | undefined {
  const { deps, file, log } = base;
  const known = deps.journal.findDoneBySource(file.path);
  if (known && rule.after === 'keep' && known.size === file.size && known.mtimeMs === file.mtimeMs) {
    log.debug({ of: known.id }, 'Already converted; nothing to do');
    return { kind: 'duplicate', of: known };
  }
  return undefined;
}

/** A job in progress for the same content under the same rule, from another source path. */
function activeCopy(journal: Journal, hash: string, version: string, path: string): JobRecord | undefined {
  return journal
    .list({ state: ACTIVE_STATES })
    .find((j) => j.contentHash === hash && j.ruleVersion === version && j.source !== path);
}
