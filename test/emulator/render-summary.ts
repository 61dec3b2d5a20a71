import type { EmulatorContext } from './context.js';
import type { RenderSummary } from './types.js';

/** Renders as a client last saw them (status and progress of the latest poll). */
export function renderSummaries(ctx: EmulatorContext): RenderSummary[] {
  return [...ctx.store.renders.values()].map((r) => ({
    id: r.id,
    sessionId: r.sessionId,
    status: r.reported.status,
    progress: r.reported.progress,
  }));
}
