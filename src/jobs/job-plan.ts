import type { LocalOptions, Quality } from '../engines/engine.js';
import type { AfterAction } from '../outbox/source-action.js';

/**
 * Everything a job needs to run, fixed when the file is taken and stored in the journal with it, so a
 * job resumed after a restart or a rule edit finishes the way it started.
 */
export interface JobPlan {
  inbox: string;
  outbox: string;
  outputName: string;
  after: AfterAction;
  engine: 'nemo' | 'local';
  instructions: string[];
  skill: string;
  language: string;
  quality: Quality;
  local?: LocalOptions;
  /** Duration of the source, when ffprobe could read it. */
  sourceDurationSec?: number;
}
