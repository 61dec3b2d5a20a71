import { authenticate } from './auth.js';
import type { Exchange } from './context.js';
import { editedDraft, mediaForInstruction } from './draft.js';
import { readJson, sendJson, writeChunk } from './http-io.js';
import { choose } from './random.js';
import { findSession } from './sessions.js';
import { encodeItem, type SseShape, type StreamIds } from './sse-events.js';
import { sseScript, type ScriptInput } from './sse-script.js';
import { codeEnvelope, sendCode } from './shapes.js';
import type { Account, Session } from './store.js';

export const REGISTER_URL = 'https://nemovideo.ai/register';

interface RunSseBody {
  session_id?: unknown;
  new_message?: { parts?: { text?: unknown }[] };
}

/** POST /run_sse: refusals are JSON; otherwise a stream of `data:` lines that ends by closing. */
export async function handleSse(ex: Exchange): Promise<void> {
  const { ctx } = ex;
  const account = await authenticate(ex);
  if (!account) return;
  const read = await readJson(ex);
  const body = (read.ok ? read.value : undefined) as RunSseBody | undefined;
  const text = body?.new_message?.parts?.find((p) => typeof p?.text === 'string')?.text;
  if (typeof text !== 'string')
    return sendJson(
      ex,
      400,
      codeEnvelope(ctx, 400, 'Body must hold session_id and new_message.parts[].text'),
    );
  const session = await findSession(ex, account, body?.session_id);
  if (!session) return;
  const cost = ctx.options.creditsPerInstruction;
  if (account.available < cost) {
    const bindUrl = account.registered ? undefined : `${REGISTER_URL}?bind=${account.userId}`;
    const message = bindUrl
      ? `Insufficient credits. Register to get more: ${bindUrl}`
      : 'Insufficient credits. Top up your account to continue.';
    return sendCode(ex, 2001, message, 200, {
      available: account.available,
      required: cost,
      bind_url: bindUrl,
    });
  }

  const fault = ex.fault;
  const media = mediaForInstruction(session.media, text);
  let outcome: ScriptInput['outcome'] = ctx.random.chance(ctx.options.textlessRate) ? 'textless' : 'text';
  if (fault?.kind === 'sse-textless') outcome = 'textless';
  if (fault?.kind === 'sse-noop') outcome = 'noop';
  if (fault?.kind === 'sse-error') outcome = 'error';
  const shape: SseShape =
    fault?.kind === 'sse-error' && fault.shape
      ? fault.shape
      : choose(ctx.random, ctx.options.sseShape, ['adk', 'typed'] as const);
  const steps = sseScript({
    outcome,
    instructionMs: ctx.options.instructionMs,
    heartbeatMs: ctx.options.heartbeatMs,
    filename: media?.filename,
    random: ctx.random,
  });
  const ids: StreamIds = {
    invocationId: `inv_${ctx.random.hex(16)}`,
    callId: `call_${ctx.random.hex(12)}`,
    toolName: 'edit_timeline',
    args: { instruction: text, media_id: media?.id ?? null },
    result: {
      status: outcome === 'noop' || !media ? 'no_change' : 'ok',
      draft_version: session.instructions + 1,
    },
  };

  // Credits are held while the agent works and spent when it finishes; an agent error refunds them.
  account.available -= cost;
  account.frozen += cost;
  ex.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  ex.res.flushHeaders();
  // A reset-midway cuts the connection halfway through; the agent keeps working regardless.
  const cutAfter = fault?.kind === 'reset-midway' ? Math.max(1, Math.floor(steps.length / 2)) : Infinity;
  let elapsed = 0;
  let sent = 0;
  for (const step of steps) {
    if (step.at > elapsed) await ctx.tasks.sleep(step.at - elapsed);
    elapsed = Math.max(elapsed, step.at);
    if (ctx.tasks.signal.aborted) break;
    if (step.item.kind === 'apply' && media) applyEdit(session, media, text, ctx.random.hex(12));
    const frame = encodeItem(step.item, shape, ids, ctx.random);
    if (frame === undefined || ex.res.destroyed) continue;
    await writeChunk(ex, Buffer.from(frame));
    sent += 1;
    if (sent >= cutAfter) ex.res.destroy();
  }
  if (outcome !== 'error' && ctx.options.instructionMs > elapsed)
    await ctx.tasks.sleep(ctx.options.instructionMs - elapsed);
  settleCredits(account, cost, outcome === 'error');
  if (!ex.res.destroyed) ex.res.end();
}

function applyEdit(
  session: Session,
  media: Session['media'][number],
  instruction: string,
  genId: string,
): void {
  session.instructions += 1;
  session.draft = editedDraft(session.draft, media, instruction);
  if (/generat|promo/i.test(instruction))
    session.generatedMedia.push({
      id: `gen_${genId}`,
      type: 'video',
      source_id: media.id,
      prompt: instruction,
    });
}

function settleCredits(account: Account, cost: number, refund: boolean): void {
  account.frozen = Math.max(0, account.frozen - cost);
  if (refund) account.available += cost;
}
