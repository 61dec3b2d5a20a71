import type { Logger } from '../core/logger.js';
import type { Config, FolderConfig } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import type { Env } from '../app/ports.js';
import type { SettingsWatcher } from '../app/live-files.js';
import type { StageLimiter } from '../engines/stage-limits.js';
import type { InboxWatcher } from '../watch/index.js';
import type { RuleBook } from './rule-book.js';
import type { Work } from './work.js';
import { stageLimitsOf, watchFolder } from './settings-map.js';

export interface LiveReloadDeps {
  configPath: string;
  env: Env;
  log: Logger;
  config(): Config;
  setConfig(next: Config): void;
  rules: RuleBook;
  work: Pick<Work, 'setLimits'>;
  stages: StageLimiter;
  watcher: InboxWatcher;
  /** `kept`: an earlier good version of the file stays in force (false: it never loaded). */
  reportError(file: string, err: unknown, kept: boolean): void;
  watchSettings(onChange: (changed: string[]) => void): SettingsWatcher;
  stopped(): boolean;
}

/**
 * Applies edits of the config and rule files while running: new limits, folders and rules take
 * effect at once; a file with errors is reported and the last good version stays in force.
 */
export async function startLiveReload(deps: LiveReloadDeps): Promise<SettingsWatcher> {
  const files = () => [deps.config().file, ...new Set(deps.config().folders.map((f) => f.rules))];
  const settings = deps.watchSettings((changed) => void reload(changed));

  async function reload(changed: string[]): Promise<void> {
    if (deps.stopped()) return;
    deps.log.info({ changed }, 'Settings changed; reloading');
    const config = deps.config();
    if (changed.includes(config.file)) {
      try {
        const next = await loadConfig(deps.configPath, deps.env);
        deps.setConfig(next);
        deps.work.setLimits({ concurrency: next.concurrency, local: next.limits.local });
        deps.stages.setLimits(stageLimitsOf(next));
        await deps.rules.load(next.folders);
        await deps.watcher.setFolders(next.folders.map(watchFolder));
      } catch (err) {
        // The running config was loaded once (the daemon started with it): it stays in force.
        deps.reportError(config.file, err, true);
      }
    } else {
      await deps.rules.reload(config.folders.filter((f: FolderConfig) => changed.includes(f.rules)));
    }
    await settings.set(files());
  }

  await settings.set(files());
  return settings;
}
