import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { StreamBody } from './http.js';

const MIME: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.avi': 'video/x-msvideo',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
};

export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Content-Disposition filename: an ASCII fallback plus the exact UTF-8 name (RFC 6266). */
export function dispositionFilename(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return ascii === name ? `filename="${ascii}"` : `filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * A multipart/form-data body with one `files` part streamed from disk: the file is never read whole
 * into memory, and its exact length is known up front so no chunked encoding is needed.
 */
export function multipartFileBody(path: string, sizeBytes: number, field = 'files'): StreamBody {
  const boundary = `----video-inbox-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${field}"; ${dispositionFilename(basename(path))}\r\n` +
      `Content-Type: ${mimeType(path)}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + sizeBytes + tail.length,
    open: async function* () {
      yield head;
      let sent = 0;
      for await (const chunk of createReadStream(path, {
        highWaterMark: 1024 * 1024,
      }) as AsyncIterable<Buffer>) {
        sent += chunk.length;
        yield chunk;
      }
      // A file that changed size mid-upload would corrupt the request; better to fail and retry.
      if (sent !== sizeBytes)
        throw new Error(`File changed size during upload (${sizeBytes} → ${sent} bytes)`);
      yield tail;
    },
  };
}
