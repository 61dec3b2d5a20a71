import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Exchange } from './context.js';
import { deliver, sendJson } from './http-io.js';

/** GET /cdn/uploads/<id>/<name>: the uploaded bytes, as a CDN would serve them (no token needed). */
export async function handleCdnUpload(ex: Exchange): Promise<void> {
  for (const session of ex.ctx.store.sessions.values()) {
    const media = session.media.find((m) => m.id === ex.params.id);
    if (!media?.path) continue;
    const { size } = await stat(media.path);
    return deliver(
      ex,
      200,
      { 'content-type': 'application/octet-stream' },
      {
        stream: createReadStream(media.path),
        length: size,
      },
    );
  }
  return sendJson(ex, 404, { error: 'Not found' });
}
