import { stat } from 'node:fs/promises';
import { ApiError } from '../../core/errors.js';
import { parseUploadedFiles, type UploadedFile } from './envelope.js';
import { hintFor, protocolError, type ErrorAudience } from './error-map.js';
import type { NemoHttp } from './http.js';
import { multipartFileBody } from './multipart.js';
import { unwrap } from './unwrap.js';

export interface UploadSettings {
  maxUploadBytes: number;
  /** The upload fails when no byte moves for this long. */
  transferIdleMs: number;
  audience: ErrorAudience;
}

export interface UploadCall {
  skill?: string;
  signal?: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
}

/**
 * Streams a file from disk as multipart field `files` (re-read from the start on every attempt);
 * a file above the limit is refused before a byte is sent.
 */
export async function uploadFile(
  http: NemoHttp,
  sessionId: string,
  path: string,
  settings: UploadSettings,
  call: UploadCall,
): Promise<UploadedFile[]> {
  const { size } = await stat(path);
  if (size > settings.maxUploadBytes) {
    throw new ApiError('FILE_TOO_LARGE', `The file is too large for NemoVideo (${size} bytes)`, {
      hint: hintFor('FILE_TOO_LARGE', settings.audience),
      context: { sizeBytes: size, limit: settings.maxUploadBytes },
    });
  }
  const body = multipartFileBody(path, size);
  let sent = 0;
  const answer = await http.json({
    endpoint: 'upload',
    method: 'POST',
    path: uploadPath(sessionId),
    auth: true,
    ...call,
    stream: {
      ...body,
      open: (gone) => {
        sent = 0;
        return body.open(gone);
      },
    },
    timeoutMs: settings.transferIdleMs,
    onSent: (n) => {
      sent += n;
      call.onProgress?.(Math.min(sent, body.contentLength ?? sent), body.contentLength ?? sent);
    },
  });
  return uploaded(answer.body);
}

/** Asks the service to fetch files from URLs. */
export async function uploadUrls(
  http: NemoHttp,
  sessionId: string,
  urls: string[],
  call: { skill?: string; signal?: AbortSignal },
): Promise<UploadedFile[]> {
  const answer = await http.json({
    endpoint: 'upload',
    method: 'POST',
    path: uploadPath(sessionId),
    auth: true,
    ...call,
    json: { urls, source_type: 'url' },
  });
  return uploaded(answer.body);
}

function uploadPath(sessionId: string): string {
  return `/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`;
}

function uploaded(body: unknown): UploadedFile[] {
  const files = parseUploadedFiles(unwrap(body));
  if (!files || files.length === 0) throw protocolError('upload', 'no data.files or data.video_infos');
  return files;
}
