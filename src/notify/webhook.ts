import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Video-Inbox-Signature';

/** `sha256=<hex>` of the exact body bytes, as GitHub-style receivers verify it. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
