import type { AppPorts } from '../app/ports.js';
import type { Config } from '../config/config.js';
import type { Journal } from '../jobs/journal.js';
import type { Notifier } from '../notify/notifier.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import { mayTake } from '../rules/may-take.js';
import type { InboxWatcher } from '../watch/index.js';
import type { CompleteFile } from '../watch/types.js';
import { createRuleBook, type RuleBook } from './rule-book.js';
import { watchFolder } from './settings-map.js';
import { takeFiles, type TakeFiles } from './take-files.js';
import type { Work } from './work.js';
import type { Engines } from './workers.js';

export interface IntakeWiring {
  ports: AppPorts;
  config(): Config;
  journal: Journal;
  notifier: Notifier;
  engines: Engines;
  work: Pick<Work, 'take'>;
  /** `kept`: an earlier good version of the file stays in force (false: it never loaded). */
  reportError(file: string, err: unknown, kept: boolean): void;
  blockedFolders: BlockedFolderReporter;
  /** Each rule file load, good or not. */
  rulesLoaded?(folder: string, outcome: { version?: string; error?: string }): void;
}

export interface Intake {
  rules: RuleBook;
  taker: TakeFiles;
  watcher: InboxWatcher;
}

/**
 * Watcher → intake: the rules are loaded, then the watcher is built (not started) with a callback
 * that only enqueues. A source the daemon moves away is forgotten by the watcher, so it is offered
 * again if it comes back.
 */
export async function wireIntake(w: IntakeWiring): Promise<Intake> {
  const { ports, journal, notifier } = w;
  const marks = ports.retryMarks(w.config().stateDir);
  const taker = takeFiles({
    intake: () => ({
      journal,
      fs: ports.fs,
      folder: rules.get,
      language: w.config().api.language,
      ffprobe: w.engines.tools?.ffprobe,
      stateDir: w.config().stateDir,
      retryMarks: marks,
      notifier,
      clock: ports.clock,
      log: ports.log,
      newId: ports.newId,
      blockedFolders: w.blockedFolders,
      printedConfig: ports.printedConfig,
    }),
    work: w.work,
    log: ports.log,
    forget: (path) => watcher.forget(path),
  });
  const rules = createRuleBook({
    log: ports.log,
    reportError: w.reportError,
    ...(w.rulesLoaded ? { loaded: w.rulesLoaded } : {}),
    firstLoaded: (name) => releaseHeldForRules(journal, name, taker.take),
    changed: (name) => taker.unmatchedAgain(name),
  });
  await rules.load(w.config().folders);
  const config = w.config();
  const watcher = ports.watchInboxes(
    {
      folders: config.folders.map(watchFolder),
      settleMs: config.settleSeconds * 1000,
      rescanMs: config.rescanSeconds * 1000,
      forcePoll: config.poll,
      // Names no rule of the folder can take (photos, notes beside the videos) cost no watch and no
      // memory. Read at each look, so a rule edit that widens `match` applies from the next rescan;
      // a folder whose rule never loaded leaves nothing out (its files are held for the rule).
      isIgnored: (rel, folder) => {
        const rule = rules.get(folder)?.rule;
        return rule !== undefined && !mayTake(rule.match, rel);
      },
    },
    (file) => taker.take(file),
  );
  return { rules, taker, watcher };
}

/** A folder's rules loaded at last: its files held for them are taken now. */
function releaseHeldForRules(journal: Journal, folder: string, take: (file: CompleteFile) => void): void {
  for (const job of journal.list({ state: 'held', folder })) {
    if (job.heldReason === 'rules')
      take({ folder, path: job.source, size: job.size, mtimeMs: job.mtimeMs, ino: 0 });
  }
}
