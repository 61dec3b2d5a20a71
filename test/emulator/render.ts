import { join } from 'node:path';
import { authenticate } from './auth.js';
import type { Exchange } from './context.js';
import { draftMediaId, isExportable, mediaForInstruction } from './draft.js';
import { readJson, sendJson } from './http-io.js';
import { choose } from './random.js';
import { startRenderJob } from './render-job.js';
import { findSession } from './sessions.js';
import { sendRenderError } from './shapes.js';
import type { Render, RenderStatus } from './store.js';

const ATTRIBUTION = ['x-skill-source', 'x-skill-version', 'x-skill-platform'] as const;

interface RenderBody {
  id?: unknown;
  sessionId?: unknown;
  draft?: unknown;
}

/** POST /api/render/proxy/lambda: export is free, but needs attribution and a unique render id. */
export async function handleRenderStart(ex: Exchange): Promise<void> {
  const { ctx } = ex;
  const account = await authenticate(ex);
  if (!account) return;
  const read = await readJson(ex);
  const missing = ATTRIBUTION.filter((h) => !String(ex.req.headers[h] ?? '').trim());
  if (missing.length > 0)
    return sendJson(ex, 402, {
      success: false,
      error: `Export blocked: missing attribution (${missing.join(', ')}). Register or upgrade your plan to export.`,
    });
  const body = (read.ok ? read.value : undefined) as RenderBody | undefined;
  if (typeof body?.id !== 'string' || !body.id || typeof body.sessionId !== 'string')
    return sendRenderError(ex, 400, 'Body must hold id, sessionId, draft and output');
  const session = await findSession(ex, account, body.sessionId);
  if (!session) return;
  if (ex.fault?.kind === 'duplicate-render' || ctx.store.usedRenderIds.has(body.id))
    return sendRenderError(ex, 409, `Render id ${body.id} already exists`);
  const draft = body.draft ?? session.draft;
  if (!isExportable(draft)) return sendRenderError(ex, 400, 'The draft has no segments to render');
  ctx.store.usedRenderIds.add(body.id);
  const mid = draftMediaId(draft);
  const media = session.media.find((m) => m.id === mid) ?? mediaForInstruction(session.media, '');
  const render: Render = {
    id: body.id,
    sessionId: session.id,
    userId: account.userId,
    polls: 0,
    outputPath: join(ctx.workDir, 'renders', `${ctx.random.hex(16)}.mp4`),
    job: { done: false, fraction: 0, size: 0, durationSec: null },
    reported: { status: 'pending', progress: 5 },
  };
  ctx.store.renders.set(render.id, render);
  if (ex.fault?.kind === 'render-fail')
    render.forcedError = ex.fault.error ?? 'Render failed: lambda timed out';
  else startRenderJob(ctx, render, media);
  return sendJson(ex, 200, { success: true, data: { id: render.id, status: 'pending', progress: 5 } });
}

/** GET /api/render/proxy/lambda/<id>: pending → processing → completed | failed, in either shape. */
export async function handleRenderPoll(ex: Exchange): Promise<void> {
  const { ctx } = ex;
  const account = await authenticate(ex);
  if (!account) return;
  const render = ctx.store.renders.get(ex.params.id ?? '');
  if (!render || render.userId !== account.userId) return sendRenderError(ex, 404, 'Render not found');
  if (ex.fault?.kind === 'render-fail')
    render.forcedError = ex.fault.error ?? 'Render failed: lambda crashed';
  render.polls += 1;
  render.reported = nextReport(render, ctx.options.renderPolls);
  const { status, progress } = render.reported;
  const error = status === 'failed' ? (render.forcedError ?? render.job.error) : undefined;
  const outputUrl = status === 'completed' ? downloadUrl(ctx.url, render.id) : undefined;
  const duration = render.job.durationSec;
  const shape = choose(ctx.random, ctx.options.renderShape, ['wrapped', 'flat'] as const);
  if (shape === 'wrapped')
    return sendJson(ex, 200, {
      success: true,
      data: {
        id: render.id,
        status,
        progress,
        ...(outputUrl ? { outputUrl, duration, size: render.job.size } : {}),
        ...(error ? { error } : {}),
      },
    });
  return sendJson(ex, 200, {
    taskId: render.id,
    status,
    progress,
    ...(outputUrl ? { output: { url: outputUrl, duration, size: render.job.size } } : {}),
    ...(error ? { error } : {}),
  });
}

/** What this poll reveals: failure at once, completion only after `renderPolls` polls. */
export function nextReport(render: Render, renderPolls: number): { status: RenderStatus; progress: number } {
  const previous = render.reported.progress;
  if (render.forcedError || render.job.error) return { status: 'failed', progress: previous };
  if (render.job.done && render.polls >= renderPolls) return { status: 'completed', progress: 100 };
  const paced = Math.min(render.job.fraction, render.polls / Math.max(1, renderPolls));
  const progress = Math.max(previous, Math.min(95, 5 + Math.round(90 * paced)));
  return { status: render.polls === 1 && renderPolls > 2 ? 'pending' : 'processing', progress };
}

export function downloadUrl(base: string, id: string): string {
  return `${base}/cdn/renders/${encodeURIComponent(id)}/${encodeURIComponent(id)}.mp4`;
}
