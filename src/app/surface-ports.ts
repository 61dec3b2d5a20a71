import type { HttpPost } from '../notify/backoff-post.js';
import { createPromMetrics, type PromMetrics } from '../metrics/prom-metrics.js';
import { startSurface, type Surface, type SurfaceOptions } from '../http/start-surface.js';
import { undiciPost } from './webhook-client.js';

/** Jobs by state and folder, read from the journal at scrape time. */
export type JobStateCounts = () => { state: string; folder: string; count: number }[];

/**
 * The control surface's side effects: the page/API/metrics server (fastify, its `api-key` and
 * `http.json` files in the state dir), the prom-client registry, and the webhook/ntfy HTTP client.
 */
export interface SurfacePorts {
  serve(options: SurfaceOptions): Promise<Surface | undefined>;
  metrics(jobStates: JobStateCounts): PromMetrics;
  post: HttpPost;
}

export const realSurfacePorts: SurfacePorts = {
  serve: startSurface,
  metrics: (jobStates) => createPromMetrics({ jobStates }),
  post: undiciPost,
};
