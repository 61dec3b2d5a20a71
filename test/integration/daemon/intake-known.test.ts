import { mkdtemp, rm } from 'node:fs/promises';
import { nodeOutboxFs } from '../../../src/outbox/outbox-fs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { intake, type IntakeDeps } from '../../../src/intake/intake.js';
import { retryMarks } from '../../../src/intake/retry-marks.js';
import { openJournal, type Journal } from '../../../src/jobs/journal.js';
import { silentNotifier } from '../../../src/notify/notifier.js';
import { parseRule } from '../../../src/rules/load-rule.js';
import { ruleVersion } from '../../../src/rules/rule-version.js';

let dir: string;
let journal: Journal;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-intake-'));
  journal = await openJournal(join(dir, 'state'), { clock: systemClock });
});

afterEach(async () => {
  await journal.close();
  await rm(dir, { recursive: true, force: true });
});

function depsFor(after: 'keep' | 'archive'): IntakeDeps {
  const parsed = parseRule(`after: ${after}\n`, join(dir, 'rule.yaml'));
  if (!parsed.ok) throw new Error('rule did not parse');
  const folder = {
    name: 'f',
    inbox: join(dir, 'inbox'),
    outbox: join(dir, 'outbox'),
    rules: join(dir, 'rule.yaml'),
    poll: false,
  };
  return {
    journal,
    fs: nodeOutboxFs,
    folder: () => ({ folder, rule: parsed.rule, version: ruleVersion(parsed.rule) }),
    language: 'en',
    ffprobe: undefined,
    retryMarks: retryMarks(join(dir, 'state'), { fs: nodeOutboxFs, clock: systemClock }),
    notifier: silentNotifier,
    clock: systemClock,
    log: silentLogger(),
    newId: () => 'new-job',
    taking: new Set(),
  };
}

/**
 * The source path below does not exist: a shortcut answers "done before" without reading it, while
 * any attempt to hash it ends as "gone". That tells the two paths apart without timing anything.
 */
describe('intake of a kept source seen again after a restart', () => {
  const source = () => join(dir, 'inbox', 'kept.mp4');

  async function doneJob(after: 'keep' | 'archive') {
    const version = depsFor(after).folder('f')!.version!;
    await journal.create({
      id: 'done-1',
      folder: 'f',
      source: source(),
      sourceName: 'kept.mp4',
      size: 1234,
      mtimeMs: 1_700_000_000_000,
      contentHash: 'c0ffee',
      ruleVersion: version,
      engine: 'nemo',
      state: 'done',
    });
  }

  it('answers from the journal without reading the file when path, size and mtime match', async () => {
    await doneJob('keep');
    const result = await intake(
      { folder: 'f', path: source(), size: 1234, mtimeMs: 1_700_000_000_000, ino: 1 },
      depsFor('keep'),
    );
    expect(result).toMatchObject({ kind: 'duplicate', of: { id: 'done-1' } });
  });

  it('does not re-convert a kept source because the rule changed since', async () => {
    await doneJob('keep');
    const edited = depsFor('keep');
    const parsed = parseRule('after: keep\ninstruction: Something else entirely\n', join(dir, 'rule.yaml'));
    if (!parsed.ok) throw new Error('rule did not parse');
    const folder = edited.folder('f')!;
    edited.folder = () => ({ ...folder, rule: parsed.rule, version: ruleVersion(parsed.rule) });
    expect(edited.folder('f')!.version).not.toBe(folder.version);
    const result = await intake(
      { folder: 'f', path: source(), size: 1234, mtimeMs: 1_700_000_000_000, ino: 1 },
      edited,
    );
    expect(result).toMatchObject({ kind: 'duplicate', of: { id: 'done-1' } });
  });

  it('reads the file again when it changed (a new mtime), as after `retry`', async () => {
    await doneJob('keep');
    const result = await intake(
      { folder: 'f', path: source(), size: 1234, mtimeMs: 1_800_000_000_000, ino: 1 },
      depsFor('keep'),
    );
    expect(result).toEqual({ kind: 'ignored', reason: 'gone' });
  });

  it('always reads a file that reappears where an archived source used to be', async () => {
    await doneJob('archive');
    const result = await intake(
      { folder: 'f', path: source(), size: 1234, mtimeMs: 1_700_000_000_000, ino: 1 },
      depsFor('archive'),
    );
    expect(result).toEqual({ kind: 'ignored', reason: 'gone' });
  });

  it('is remembered across a reopen of the journal', async () => {
    await doneJob('keep');
    await journal.close();
    journal = await openJournal(join(dir, 'state'), { clock: systemClock });
    expect(journal.findDoneBySource(source())?.id).toBe('done-1');
    await journal.update('done-1', { state: 'queued' });
    expect(journal.findDoneBySource(source())).toBeUndefined();
  });
});
