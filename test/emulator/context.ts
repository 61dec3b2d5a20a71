import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultQueue } from './faults.js';
import type { ResolvedOptions } from './options.js';
import type { Random } from './random.js';
import type { Store } from './store.js';
import type { Tasks } from './tasks.js';
import type { EndpointName, Fault, RecordedRequest } from './types.js';

/** What every handler shares: options, the seeded random source, the service's memory. */
export interface EmulatorContext {
  options: ResolvedOptions;
  random: Random;
  store: Store;
  faults: FaultQueue;
  requests: RecordedRequest[];
  tasks: Tasks;
  workDir: string;
  /** Set once the server listens; every URL the emulator hands out is absolute on it. */
  url: string;
  ffmpeg: string;
  ffprobe: string;
}

/** One request and its answer, with the fault (if any) that shapes how the answer is delivered. */
export interface Exchange {
  ctx: EmulatorContext;
  req: IncomingMessage;
  res: ServerResponse;
  endpoint: EndpointName | 'other';
  params: Record<string, string>;
  record: RecordedRequest;
  fault?: Fault;
  /** Aborted when the client goes away. */
  gone: AbortSignal;
}
