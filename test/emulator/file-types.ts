import { extname } from 'node:path';

/** The accepted types listed by the service; anything else is answered with 4001. */
export const ACCEPTED_TYPES = {
  video: ['mp4', 'mov', 'avi', 'webm', 'mkv'],
  image: ['jpg', 'png', 'gif', 'webp'],
  audio: ['mp3', 'wav', 'm4a', 'aac'],
} as const;

export type FileType = keyof typeof ACCEPTED_TYPES;

export function extensionOf(filename: string): string {
  return extname(filename).slice(1).toLowerCase();
}

export function fileTypeOf(filename: string): FileType | undefined {
  const ext = extensionOf(filename);
  for (const [type, exts] of Object.entries(ACCEPTED_TYPES) as [FileType, readonly string[]][])
    if (exts.includes(ext)) return type;
  return undefined;
}
