import type { LocalOptions, Quality } from '../domain/work.js';
import type { RuleFile, WhenEntry } from './rule-schema.js';

/** The instruction a nemo rule sends when it names none (the video-converter-best product's own). */
export const DEFAULT_INSTRUCTION = 'Convert this video to MP4 at 1080p without losing quality';

export type Engine = 'nemo' | 'local';
import type { AfterAction } from '../domain/job.js';

export interface Conditions {
  match?: string[];
  /** Lower-case codec names. */
  codec?: string[];
  audioCodec?: string[];
  minWidth?: number;
  maxWidth?: number;
  minHeight?: number;
  maxHeight?: number;
  minDuration?: number;
  maxDuration?: number;
  minSizeMB?: number;
  maxSizeMB?: number;
}

export interface WhenBranch {
  conditions: Conditions;
  skill?: string;
  instructions?: string[];
  engine?: Engine;
  local?: LocalOptions;
  quality?: Quality;
  language?: string;
}

/** A rule file after loading: defaults applied, one form for every either/or of the YAML. */
export interface Rule {
  skill: string;
  /** Templates, sent in order on one session. */
  instructions: string[];
  match: string[];
  output: { name: string; quality: Quality };
  after: AfterAction;
  /** Undefined: the config's api.language. */
  language?: string;
  engine: Engine;
  local: LocalOptions;
  when: WhenBranch[];
}

const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const lower = (v: string | string[] | undefined) => list(v)?.map((s) => s.toLowerCase());

function instructionsOf(v: { instruction?: string; instructions?: string[] }): string[] | undefined {
  return v.instructions ?? (v.instruction === undefined ? undefined : [v.instruction]);
}

export function normaliseRule(file: RuleFile): Rule {
  return {
    skill: file.skill,
    instructions: instructionsOf(file) ?? [DEFAULT_INSTRUCTION],
    match: list(file.match) ?? [],
    output: { name: file.output.name, quality: file.output.quality },
    after: file.after,
    language: file.language,
    engine: file.engine,
    local: { ...file.local },
    when: (file.when ?? []).map(normaliseWhen),
  };
}

function normaliseWhen(entry: WhenEntry): WhenBranch {
  const { skill, engine, local, quality, language } = entry;
  const conditions: Conditions = {
    match: list(entry.match),
    codec: lower(entry.codec),
    audioCodec: lower(entry.audioCodec),
    minWidth: entry.minWidth,
    maxWidth: entry.maxWidth,
    minHeight: entry.minHeight,
    maxHeight: entry.maxHeight,
    minDuration: entry.minDuration,
    maxDuration: entry.maxDuration,
    minSizeMB: entry.minSizeMB,
    maxSizeMB: entry.maxSizeMB,
  };
  return dropUndefined({
    conditions: dropUndefined(conditions),
    skill,
    instructions: instructionsOf(entry),
    engine,
    local,
    quality,
    language,
  });
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
