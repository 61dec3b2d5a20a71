import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeVideo, type MediaSpec, testsrcInput } from '../../helpers/media.js';
import { cleanUpAfterEach, useMedia, type Media } from './harness.js';

const run = promisify(execFile);

/** The formats people drop: each base is encoded once, the rest are cheap remuxes of it. */
export const BASES: { ext: string; spec: MediaSpec }[] = [
  { ext: 'avi', spec: { videoCodec: 'mpeg4', audioCodec: 'libmp3lame' } },
  { ext: 'mov', spec: { videoCodec: 'libx264', audioCodec: 'aac' } },
  { ext: 'mkv', spec: { videoCodec: 'libx264', audioCodec: 'libvorbis' } },
  { ext: 'webm', spec: { videoCodec: 'libvpx', audioCodec: 'libopus' } },
  { ext: 'mp4', spec: { videoCodec: 'libx264', audioCodec: null } },
];

/**
 * `count` small videos of different content (a remux with its own metadata, so the content hash
 * differs and none is taken for a duplicate), cycling through the formats, in `dir`.
 */
export async function makeMixedSet(dir: string, count: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const bases = await Promise.all(BASES.map(({ ext, spec }) => makeVideo(join(dir, `base.${ext}`), spec)));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length]!;
    const ext = BASES[i % BASES.length]!.ext;
    const path = join(dir, `clip-${String(i + 1).padStart(2, '0')}.${ext}`);
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      base,
      '-map',
      '0',
      '-c',
      'copy',
      '-metadata',
      `comment=clip ${i}`,
      path,
    ]);
    out.push(path);
  }
  return out;
}

/** A large AVI (MPEG-4 at top quality over noise, which does not compress): about 7 MB a second. */
export async function makeLargeVideo(path: string, seconds = 3): Promise<string> {
  await run('ffmpeg', [
    ...testsrcInput('640x360', seconds),
    '-vf',
    'noise=alls=100:allf=t+u',
    '-c:v',
    'mpeg4',
    '-q:v',
    '1',
    path,
  ]);
  return path;
}

/**
 * A file of daemon tests over `count` mixed clips (made once for the file, see `makeMixedSet`); each
 * test's daemons and sandboxes are cleaned up after it.
 */
export function useMixedClips(prefix: string, count: number): Media {
  const media = useMedia(prefix, (dir) => makeMixedSet(dir, count));
  cleanUpAfterEach();
  return media;
}
