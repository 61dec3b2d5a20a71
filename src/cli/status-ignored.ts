import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { ignoredReason, neverOffered } from '../intake/ignored.js';
import { loadRuleFile } from '../rules/load-rule.js';

/** The files of one folder the daemon leaves in its inbox: how many, and the first few names. */
export interface IgnoredGroup {
  folder: string;
  count: number;
  /** Paths inside the inbox, `/`-separated, sorted; at most SHOWN of them. */
  names: string[];
}

export const SHOWN = 5;
/** `status` stays quick on a huge inbox: it looks at this many entries per folder at most. */
const LOOK_AT = 5000;

/**
 * Per folder, the files that are not videos and that no rule takes (`ignoredReason`): they sit in
 * the inbox by design, and `status` says so. Partial copies and system clutter are not listed; a
 * folder whose rule file does not load is skipped (`validate` says why).
 */
export async function ignoredFiles(config: Config): Promise<IgnoredGroup[]> {
  const groups: IgnoredGroup[] = [];
  for (const folder of config.folders) {
    const rule = await loadRuleFile(folder.rules).catch(() => undefined);
    if (!rule) continue;
    const ignored = (await listInbox(folder.inbox))
      .filter((rel) => ignoredReason({ folder: folder.name, rel, match: rule.match }) !== undefined)
      .sort();
    if (ignored.length > 0)
      groups.push({ folder: folder.name, count: ignored.length, names: ignored.slice(0, SHOWN) });
  }
  return groups;
}

/** Every file under the inbox the watcher would look at, relative and `/`-separated. */
async function listInbox(inbox: string): Promise<string[]> {
  const files: string[] = [];
  const stack = [''];
  let seen = 0;
  while (stack.length > 0 && seen < LOOK_AT) {
    const rel = stack.pop() as string;
    const entries = await readdir(join(inbox, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      seen += 1;
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (neverOffered(path)) continue;
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) files.push(path);
    }
  }
  return files;
}
