import type { LocalOptions, Quality } from '../domain/work.js';
import { conditionsHold } from './conditions.js';
import { BYTES_PER_MB, fileFacts, formatSize, localDate, round1, type JobFile } from './file-facts.js';
import type { Engine, Rule } from './rule.js';
import type { AfterAction } from '../domain/job.js';
import { renderTemplate } from './template.js';

export type { JobFile } from './file-facts.js';

/** Everything a job needs from its rule, with templates rendered for this file. */
export interface ResolvedJob {
  skill: string;
  instructions: string[];
  engine: Engine;
  outputName: string;
  quality: Quality;
  after: AfterAction;
  language: string;
  local: LocalOptions;
  /** Index of the `when` entry that applied, if any (for `explain`). */
  whenIndex?: number;
}

export interface ResolveDefaults {
  /** The config's api.language, used when the rule names none. */
  language?: string;
}

/**
 * Pure: which instructions, engine and output name this file gets under this rule. The first `when`
 * entry whose conditions all hold overrides the rule's own values.
 */
export function resolveJob(
  rule: Rule,
  file: JobFile,
  folderName: string,
  now: Date,
  defaults: ResolveDefaults = {},
): ResolvedJob {
  const facts = fileFacts(file);
  const whenIndex = rule.when.findIndex((branch) => conditionsHold(branch.conditions, facts));
  const branch = whenIndex >= 0 ? rule.when[whenIndex] : undefined;
  const date = localDate(now);
  const instructionVars = {
    name: facts.name,
    stem: facts.stem,
    ext: facts.ext,
    size: formatSize(facts.sizeBytes),
    sizeMB: round1(facts.sizeBytes / BYTES_PER_MB),
    duration: facts.durationSec === undefined ? undefined : round1(facts.durationSec),
    width: facts.width,
    height: facts.height,
    codec: facts.codec,
    date,
    folder: folderName,
  };
  const job: ResolvedJob = {
    skill: branch?.skill ?? rule.skill,
    instructions: (branch?.instructions ?? rule.instructions).map((t) => renderTemplate(t, instructionVars)),
    engine: branch?.engine ?? rule.engine,
    outputName: outputName(rule.output.name, { stem: facts.stem, ext: facts.ext, date, folder: folderName }),
    quality: branch?.quality ?? rule.output.quality,
    after: rule.after,
    language: branch?.language ?? rule.language ?? defaults.language ?? 'en',
    local: { ...rule.local, ...branch?.local },
  };
  if (branch) job.whenIndex = whenIndex;
  return job;
}

/**
 * The output file name: the template rendered, made safe as a single path segment, ending in `.mp4`.
 * The outbox adds a numbered suffix on collisions; this only decides the wish.
 */
export function outputName(
  template: string,
  vars: { stem: string; ext: string; date: string; folder: string },
): string {
  const rendered = renderTemplate(template, vars)
    // A name is one path segment; control characters break terminals and notifications.
    .replace(/[/\\\p{Cc}]/gu, '_')
    .trim();
  const base = rendered === '' || /^\.+$/.test(rendered) ? 'video' : rendered;
  return /\.mp4$/i.test(base) ? base : `${base}.mp4`;
}
