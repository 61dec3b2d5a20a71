import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { readIssue } from '../yaml/read-issue.js';
import { parseYamlSource, zodIssuesToConfigIssues } from '../yaml/yaml-source.js';
import { normaliseRule, type Rule } from './rule.js';
import { RuleFileSchema } from './rule-schema.js';

/** Reads and validates a rule file. Throws ConfigError whose issues point at file:line:column. */
export async function loadRuleFile(path: string): Promise<Rule> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([readIssue(file, err)], {
      cause: err,
      hint: 'Check the `rules:` path of this folder in the config (relative paths resolve against the config file).',
    });
  }
  const result = parseRule(text, file);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.rule;
}

export type ParseRuleResult = { ok: true; rule: Rule } | { ok: false; issues: ConfigIssue[] };

/** The pure part of `loadRuleFile`. An empty file is a valid rule: every key has a default. */
export function parseRule(text: string, file: string): ParseRuleResult {
  const source = parseYamlSource(text, file);
  if (source.issues.length > 0) return { ok: false, issues: source.issues };
  const parsed = RuleFileSchema.safeParse(source.data ?? {});
  if (!parsed.success) {
    return { ok: false, issues: zodIssuesToConfigIssues(source, parsed.error.issues, RuleFileSchema) };
  }
  return { ok: true, rule: normaliseRule(parsed.data) };
}
