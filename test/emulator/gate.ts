import type { Exchange } from './context.js';
import type { GateFault } from './faults.js';
import { drain, sendJson } from './http-io.js';
import { codeEnvelope } from './shapes.js';
import { STATUS_CODES } from 'node:http';

/**
 * Applies a fault that replaces or delays the answer. Returns true when the exchange is over,
 * false when the request should now be handled normally (a stall with a duration).
 */
export async function applyGateFault(ex: Exchange, fault: GateFault): Promise<boolean> {
  switch (fault.kind) {
    case 'reset':
      ex.req.socket.destroy();
      return true;
    case 'stall':
      await ex.ctx.tasks.sleep(fault.ms, ex.gone);
      if (fault.ms === undefined || ex.gone.aborted || ex.ctx.tasks.signal.aborted) {
        ex.req.socket.destroy();
        return true;
      }
      return false;
    case 'http': {
      const headers: Record<string, string | number> = {};
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      const body = fault.body ?? { error: STATUS_CODES[fault.status] ?? 'Error', status: fault.status };
      await sendJson(ex, fault.status, body, headers);
      return true;
    }
    case 'redirect': {
      // On to `to`, or back to the same address (as a CDN edge or a signed-URL service sends a client
      // on): the fault is used up, so a request that comes back is answered normally.
      await drain(ex.req);
      const path = ex.req.url ?? '/';
      const location = fault.to ?? `${path}${path.includes('?') ? '&' : '?'}redirected=${ex.record.at}`;
      ex.res.writeHead(fault.status ?? 302, { location, 'content-length': 0 });
      ex.res.end();
      return true;
    }
    case 'envelope':
      await drain(ex.req);
      await sendJson(ex, fault.status ?? 200, codeEnvelope(ex.ctx, fault.code, fault.message));
      return true;
  }
}
