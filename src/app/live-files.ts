import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../core/logger.js';

/**
 * Watches a changing set of small files (config, rule YAML) and calls `onChange` once per burst of
 * edits. Editors save by writing a temp file and renaming it over the original, so we watch with
 * polling-free chokidar and debounce: one reload per save, not three.
 */
export interface SettingsWatcher {
  /** Watches exactly these files from now on. */
  set(files: string[]): Promise<void>;
  close(): Promise<void>;
}

export function watchFiles(
  log: Logger,
  onChange: (changed: string[]) => void,
  debounceMs = 250,
): SettingsWatcher {
  let watcher: FSWatcher | undefined;
  let watched = new Set<string>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const fire = (path: string) => {
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...pending];
      pending = new Set();
      onChange(changed);
    }, debounceMs);
  };

  return {
    async set(files: string[]): Promise<void> {
      const next = new Set(files);
      if (!watcher) {
        watcher = watch([...next], { ignoreInitial: true, awaitWriteFinish: false, atomic: true });
        watcher.on('all', (_event, path) => fire(path));
        watcher.on('error', (err) =>
          log.warn({ err: (err as Error).message }, 'Cannot watch a settings file'),
        );
        await new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));
      } else {
        const add = [...next].filter((f) => !watched.has(f));
        const remove = [...watched].filter((f) => !next.has(f));
        if (add.length) watcher.add(add);
        if (remove.length) watcher.unwatch(remove);
      }
      watched = next;
    },
    async close(): Promise<void> {
      if (timer) clearTimeout(timer);
      await watcher?.close();
      watcher = undefined;
    },
  };
}
