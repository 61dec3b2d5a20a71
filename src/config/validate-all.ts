import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { ConfigIssue } from '../core/errors.js';
import { expandHome } from '../core/paths.js';
import { parseRule } from '../rules/load-rule.js';
import { parseConfig, type LoadConfigOptions } from './load-config.js';
import { readIssue } from '../yaml/read-issue.js';

type Env = Record<string, string | undefined>;

/**
 * Every issue in the config and in every rule file it names, in one list (empty when all is well).
 * Rule files are checked even when the config has other problems, as long as their paths can be read
 * from it, so one run of `validate` shows everything to fix.
 */
export async function validateAll(
  configPath: string,
  env: Env = process.env,
  options: LoadConfigOptions = {},
): Promise<ConfigIssue[]> {
  const file = resolve(configPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return [readIssue(file, err)];
  }
  const result = parseConfig(text, file, env, options);
  const issues = result.ok ? [] : [...result.issues];
  const ruleFiles = result.ok
    ? result.config.folders.map((f) => f.rules)
    : ruleFilesFrom(result.source.data, file, options.home ?? homedir());
  for (const ruleFile of new Set(ruleFiles)) {
    let ruleText: string;
    try {
      ruleText = await readFile(ruleFile, 'utf8');
    } catch (err) {
      issues.push(readIssue(ruleFile, err));
      continue;
    }
    const rule = parseRule(ruleText, ruleFile);
    if (!rule.ok) issues.push(...rule.issues);
  }
  return issues;
}

/** Rule paths from a config that did not fully validate: whatever folders[].rules strings exist. */
function ruleFilesFrom(data: unknown, configFile: string, home: string): string[] {
  const folders = (data as { folders?: unknown } | null | undefined)?.folders;
  if (!Array.isArray(folders)) return [];
  return folders
    .map((f) => (f as { rules?: unknown } | null)?.rules)
    .filter((r): r is string => typeof r === 'string' && r !== '')
    .map((r) => resolve(dirname(configFile), expandHome(r, home)));
}
