import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FolderConfig } from '../config/config.js';
import type { FolderRules } from '../intake/intake.js';
import { loadRuleFile } from '../rules/load-rule.js';
import { ruleVersion } from '../rules/rule-version.js';

export interface RuleBookDeps {
  log: Logger;
  /** A folder's rule file loaded for the first time: files held for it can be taken now. */
  firstLoaded(folderName: string): void;
  /** A folder's rule file loaded with a change (say a wider `match`): its unmatched files are looked at again. */
  changed(folderName: string): void;
  /** A rule file has errors; `kept`: its last good version stays in force (false: it never loaded). */
  reportError(file: string, err: unknown, kept: boolean): void;
  /** Every load of a folder's rule file, good or not (the control surface announces it). */
  loaded?(folderName: string, outcome: { version?: string; error?: string }): void;
}

export interface RuleBook {
  get(folderName: string): FolderRules | undefined;
  /** Loads the rule files of the configured folders; folders no longer configured are dropped. */
  load(folders: FolderConfig[]): Promise<void>;
  /** Reloads these folders' rule files (the ones edited); the other folders keep theirs. */
  reload(folders: FolderConfig[]): Promise<void>;
}

/** Each folder's rule, as last loaded: a broken edit keeps the last good rule in force. */
export function createRuleBook(deps: RuleBookDeps): RuleBook {
  const folders = new Map<string, FolderRules>();
  async function reload(list: FolderConfig[]): Promise<void> {
    for (const folder of list) {
      const previous = folders.get(folder.name);
      try {
        const rule = await loadRuleFile(folder.rules);
        const version = ruleVersion(rule);
        folders.set(folder.name, { folder, rule, version });
        // `match` is not part of the version (it does not alter an output), but a change to it is news.
        if (version !== previous?.version || JSON.stringify(rule) !== JSON.stringify(previous.rule)) {
          deps.log.info({ folder: folder.name, rules: folder.rules, version }, 'Rule file loaded');
          if (previous?.rule) deps.changed(folder.name);
        }
        deps.loaded?.(folder.name, { version });
        if (!previous?.rule) deps.firstLoaded(folder.name);
      } catch (err) {
        deps.reportError(folder.rules, err, previous?.rule !== undefined);
        deps.loaded?.(folder.name, { error: toVideoInboxError(err).message });
        // The last good rule stays in force; a folder that never loaded holds its files.
        folders.set(folder.name, { folder, rule: previous?.rule, version: previous?.version });
      }
    }
  }
  return {
    get: (name) => folders.get(name),
    reload,
    async load(list) {
      await reload(list);
      for (const name of [...folders.keys()]) if (!list.some((f) => f.name === name)) folders.delete(name);
    },
  };
}
