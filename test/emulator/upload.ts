import { rm } from 'node:fs/promises';
import { authenticate } from './auth.js';
import type { Exchange } from './context.js';
import { drain, readJson, sendJson } from './http-io.js';
import { mediaInfo } from './media-info.js';
import { choose } from './random.js';
import { findSession } from './sessions.js';
import { codeEnvelope, sendCode, sendOk } from './shapes.js';
import { describeUpload } from './upload-media.js';
import { receiveMultipart, type Receipt } from './upload-multipart.js';
import { receiveUrls } from './upload-url.js';

/** POST /api/upload-video/nemo_agent/me/<sid>: multipart `files` parts, or JSON `urls`. */
export async function handleUpload(ex: Exchange): Promise<void> {
  const account = await authenticate(ex);
  if (!account) return;
  const session = await findSession(ex, account, ex.params.sid);
  if (!session) return;
  const type = ex.req.headers['content-type'] ?? '';
  let receipt: Receipt;
  if (/^multipart\/form-data/i.test(type)) {
    try {
      receipt = await receiveMultipart(ex);
    } catch {
      await drain(ex.req);
      return sendJson(ex, 400, codeEnvelope(ex.ctx, 400, 'Malformed multipart body'));
    }
  } else if (/^application\/json/i.test(type)) {
    const read = await readJson(ex);
    const urls = read.ok ? (read.value as { urls?: unknown } | undefined)?.urls : undefined;
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string'))
      return sendJson(ex, 400, codeEnvelope(ex.ctx, 400, 'Body must be {"urls":[…],"source_type":"url"}'));
    receipt = await receiveUrls(ex.ctx, urls);
  } else {
    return sendJson(ex, 400, codeEnvelope(ex.ctx, 400, 'Expected multipart/form-data or application/json'));
  }
  if (receipt.aborted || receipt.refused || receipt.files.length === 0) {
    await Promise.all(receipt.files.map((f) => (f.path ? rm(f.path, { force: true }) : undefined)));
    if (receipt.aborted) return void ex.res.destroy();
    if (receipt.refused) return sendCode(ex, receipt.refused);
    return sendJson(ex, 400, codeEnvelope(ex.ctx, 400, 'No file in field "files"'));
  }
  const media = [];
  for (const file of receipt.files) media.push(await describeUpload(ex.ctx, file));
  session.media.push(...media);
  const infos = media.map(mediaInfo);
  const shape = choose(ex.ctx.random, ex.ctx.options.uploadShape, ['files', 'video_infos'] as const);
  return sendOk(ex, shape === 'files' ? { files: infos } : { video_infos: infos });
}
