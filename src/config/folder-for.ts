import { isAbsolute, relative } from 'node:path';
import type { Config, FolderConfig } from './config.js';

/** The configured folder whose inbox holds `file` (or the one named `name`). Pure. */
export function folderFor(config: Config, file: string, name?: string): FolderConfig | undefined {
  if (name) return config.folders.find((f) => f.name.toLowerCase() === name.toLowerCase());
  return config.folders.find((f) => {
    const rel = relative(f.inbox, file);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}
