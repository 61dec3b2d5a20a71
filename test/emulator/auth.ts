import type { Exchange } from './context.js';
import { sendJson } from './http-io.js';
import { codeEnvelope, sendAuthError, sendOk } from './shapes.js';
import type { Account } from './store.js';

export const TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const TOKEN_RETRY_AFTER_S = 30;

/** POST /api/auth/anonymous-token: one live token per client id, 100 credits, 7 days. */
export async function handleToken(ex: Exchange): Promise<void> {
  const { store, random } = ex.ctx;
  const header = ex.req.headers['x-client-id'];
  const clientId = typeof header === 'string' ? header.trim() : '';
  if (!clientId || clientId.length > 64)
    return sendJson(
      ex,
      400,
      codeEnvelope(ex.ctx, 400, 'X-Client-Id header is required (at most 64 characters)'),
    );
  const now = Date.now();
  if (store.liveTokenFor(clientId, now))
    return sendJson(
      ex,
      429,
      codeEnvelope(ex.ctx, 429, 'A token was already issued for this client id: reuse it'),
      { 'retry-after': TOKEN_RETRY_AFTER_S },
    );
  let userId = store.accountByClient.get(clientId);
  if (!userId) {
    userId = `anon_${random.hex(16)}`;
    store.accountByClient.set(clientId, userId);
  }
  const account = store.account(userId);
  const token = `nmv_${random.hex(40)}`;
  const expiresAt = now + TOKEN_LIFETIME_MS;
  store.tokens.set(token, { token, userId, clientId, expiresAt, expired: false });
  return sendOk(ex, {
    token,
    user_id: userId,
    expires_at: new Date(expiresAt).toISOString(),
    credits: account.available,
  });
}

/** The account behind a live Bearer token, or undefined after answering 1001. */
export async function authenticate(ex: Exchange): Promise<Account | undefined> {
  const { store, options } = ex.ctx;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ex.req.headers.authorization ?? '');
  const token = match?.[1];
  if (token) {
    const registered = options.registeredTokens.indexOf(token);
    if (registered >= 0) return store.account(`user_${registered + 1}`, true);
    const issued = store.tokens.get(token);
    if (issued && !issued.expired && issued.expiresAt > Date.now()) return store.account(issued.userId);
  }
  await sendAuthError(ex);
  return undefined;
}
