import { createReadStream } from 'node:fs';
import type { Exchange } from './context.js';
import { deliver, sendJson } from './http-io.js';

/**
 * GET the outputUrl: the rendered MP4, streamed from disk. Like a CDN it needs no token, and it
 * honours a single `Range: bytes=N-[M]` so an interrupted download can resume.
 */
export async function handleDownload(ex: Exchange): Promise<void> {
  const render = ex.ctx.store.renders.get(ex.params.id ?? '');
  if (!render?.job.done || render.job.error || render.forcedError)
    return sendJson(ex, 404, { error: 'Not found' });
  const size = render.job.size;
  const headers = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(ex.req.headers.range ?? ''));
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
    if (start >= size || start > end)
      return sendJson(ex, 416, { error: 'Range not satisfiable' }, { 'content-range': `bytes */${size}` });
    return deliver(
      ex,
      206,
      { ...headers, 'content-range': `bytes ${start}-${end}/${size}` },
      { stream: createReadStream(render.outputPath, { start, end }), length: end - start + 1 },
    );
  }
  return deliver(ex, 200, headers, { stream: createReadStream(render.outputPath), length: size });
}
