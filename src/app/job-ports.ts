import { v4 as uuidv4 } from 'uuid';
import { hashFile } from '../core/content-hash.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Config } from '../config/config.js';
import type { Engine } from '../engines/engine.js';
import { createLocalEngine } from '../engines/local/local-engine.js';
import type { FfmpegFeatures } from '../engines/local/ffmpeg-version.js';
import {
  resolveTools,
  resolveToolsAsync,
  toolCandidates,
  toolsByUse,
  type ToolPaths,
  type ToolsByUse,
} from '../engines/local/tools.js';
import { nodeOutboxFs, type OutboxFs } from '../outbox/outbox-fs.js';

/**
 * The ports one job needs on this machine with the local engine: files, time, hashing, ids and
 * ffmpeg. A part of AppPorts that loads none of the daemon's or the cloud's libraries, so
 * `convert --engine local` starts in a fraction of the time `realPorts` takes to load.
 */
export interface JobPorts {
  log: Logger;
  clock: Clock;
  fs: OutboxFs;
  /** sha256 of a file's bytes (core/content-hash), a source's identity. */
  hashFile(path: string): Promise<string>;
  newId(): string;
  /** Where ffmpeg and ffprobe are; throws FFMPEG_MISSING when they are not installed. */
  tools(config: Config | undefined): ToolPaths;
  /** `tools`, with both checks side by side and the event loop free meanwhile. */
  findTools(config: Config | undefined): Promise<ToolPaths>;
  /** The paths `tools` checks (what it returns once they pass), known without running anything. */
  toolCandidates(config: Config | undefined): ToolPaths;
  /** The tools checked by their first use, for a run that uses both at once (see ToolsByUse). */
  toolsByUse(config: Config | undefined): ToolsByUse;
  /** The local engine on `tools`; `features` when ffmpeg is being asked already (ToolsByUse). */
  localEngine(tools: ToolPaths, features?: Promise<FfmpegFeatures>): Engine;
}

export function realJobPorts(base: { log: Logger; clock?: Clock }): JobPorts {
  const { log } = base;
  return {
    log,
    clock: base.clock ?? systemClock,
    fs: nodeOutboxFs,
    hashFile: (path) => hashFile(path),
    newId: uuidv4,
    tools: (config) => resolveTools(configuredTools(config)),
    findTools: (config) => resolveToolsAsync(configuredTools(config)),
    toolCandidates: (config) => toolCandidates(configuredTools(config)),
    toolsByUse: (config) => toolsByUse(configuredTools(config)),
    localEngine: (tools, features) =>
      createLocalEngine({ tools, features, log: log.child({ module: 'local' }) }),
  };
}

function configuredTools(config: Config | undefined): Partial<ToolPaths> {
  return { ffmpeg: config?.ffmpegPath, ffprobe: config?.ffprobePath };
}
