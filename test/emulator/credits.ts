import { authenticate } from './auth.js';
import type { Exchange } from './context.js';
import { sendOk } from './shapes.js';

/** GET /api/credits/balance/simple: credits frozen during an instruction count in the total. */
export async function handleCredits(ex: Exchange): Promise<void> {
  const account = await authenticate(ex);
  if (!account) return;
  return sendOk(ex, {
    available: account.available,
    frozen: account.frozen,
    total: account.available + account.frozen,
  });
}
