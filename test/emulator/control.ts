import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.js';
import { ENDPOINT_NAMES, type EndpointName, type Fault } from './types.js';
import { renderSummaries } from './render-summary.js';

/**
 * Test hooks for tests in other processes (`npm run emulator`): the same powers as the programmatic
 * API, under /__emulator/. These requests are not recorded.
 */
export async function handleControl(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const key = `${req.method} ${pathname.replace(/\/$/, '')}`;
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  const reply = (status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  switch (key) {
    case 'POST /__emulator/faults': {
      const { endpoint, fault, times } = (body ?? {}) as {
        endpoint?: unknown;
        fault?: unknown;
        times?: unknown;
      };
      if (!ENDPOINT_NAMES.includes(endpoint as EndpointName) || !fault || typeof fault !== 'object')
        return reply(400, { error: `endpoint must be one of ${ENDPOINT_NAMES.join(', ')}, fault an object` });
      ctx.faults.inject(endpoint as EndpointName, fault as Fault, parseTimes(times));
      return reply(200, { ok: true });
    }
    case 'DELETE /__emulator/faults':
      ctx.faults.clear();
      return reply(200, { ok: true });
    case 'GET /__emulator/requests':
      return reply(200, ctx.requests);
    case 'DELETE /__emulator/requests':
      ctx.requests.length = 0;
      return reply(200, { ok: true });
    case 'POST /__emulator/credits': {
      const available = (body as { available?: unknown } | undefined)?.available;
      if (typeof available !== 'number' || !Number.isFinite(available))
        return reply(400, { error: 'available must be a number' });
      ctx.store.setCredits(available);
      return reply(200, { ok: true });
    }
    case 'POST /__emulator/expire-tokens':
      ctx.store.expireTokens();
      return reply(200, { ok: true });
    case 'GET /__emulator/renders':
      return reply(200, renderSummaries(ctx));
    default:
      return reply(404, { error: 'unknown control endpoint' });
  }
}

/** JSON cannot say Infinity: accept null, "Infinity" or a negative number for "until cleared". */
export function parseTimes(times: unknown): number {
  if (times === undefined) return 1;
  if (times === null || times === 'Infinity' || (typeof times === 'number' && times < 0)) return Infinity;
  const n = Number(times);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
