import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index.js';
import { makeVideo, type MediaSpec } from '../../helpers/media.js';
import { type Json } from './client.js';

/** A temp dir for one test file, with small real videos made by ffmpeg. */
export async function mediaDir(): Promise<{
  dir: string;
  video(name: string, spec?: MediaSpec): Promise<string>;
  cleanup(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'emulator-test-'));
  return {
    dir,
    video: (name, spec) => makeVideo(join(dir, name), spec),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function junkFile(path: string, bytes: number): Promise<string> {
  await writeFile(path, Buffer.alloc(bytes, 7));
  return path;
}

/** Multipart upload with the `files` field repeated per path; the blobs are read from disk lazily. */
export async function uploadFiles(
  em: Emulator,
  token: string,
  sid: string,
  paths: string[],
  field = 'files',
): Promise<{ status: number; json: Json }> {
  const form = new FormData();
  for (const path of paths) form.append(field, await openAsBlob(path), path.split('/').at(-1));
  const res = await fetch(`${em.url}/api/upload-video/nemo_agent/me/${sid}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, json: await res.json() };
}

/** The uploaded entries, whichever documented shape the answer used. */
export function uploadedEntries(json: Json): Json[] {
  return json.data.files ?? json.data.video_infos;
}
