import { createHash } from 'node:crypto';
import type { Rule } from './rule.js';

/**
 * A stable hash of what a rule does to a file's content, for "processed once per content + rule
 * version". It covers skill, instructions, engine, quality, language, local options and `when`;
 * it leaves out `match`, `after` and `output.name`, which decide which files and where they go, not
 * what the output is, so tidying those never makes the daemon pay for the same video again.
 * Formatting, comments, key order and `instruction` vs a one-item `instructions` do not change it.
 */
export function ruleVersion(rule: Rule): string {
  const essence = {
    v: 1,
    skill: rule.skill,
    instructions: rule.instructions,
    engine: rule.engine,
    quality: rule.output.quality,
    language: rule.language,
    local: rule.local,
    when: rule.when,
  };
  return createHash('sha256').update(canonicalJson(essence)).digest('hex').slice(0, 16);
}

/** JSON with sorted keys and no undefined members, so equal values always hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
