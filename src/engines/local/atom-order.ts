import { open } from 'node:fs/promises';

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/** Top-level boxes looked at before giving up (ftyp, free, wide, uuid… come before moov/mdat). */
const MAX_BOXES = 64;

/** What an MP4/MOV starts with; anything else is another format, which this reader leaves alone. */
export const FIRST_BOXES = ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid'];

export interface AtomLayout {
  /** true: moov before mdat ("faststart"); false: mdat first; undefined: neither found. */
  moovFirst: boolean | undefined;
  /** A top-level box claims to run past the end of the file: the file was cut short. */
  truncated: boolean;
}

/**
 * The order of an MP4's index (moov) and media (mdat), and whether the file is whole, read from the
 * top-level box headers alone: a few 16-byte reads, however large the file.
 */
export async function readAtomLayout(read: ReadAt, fileSize: number): Promise<AtomLayout> {
  let moovFirst: boolean | undefined;
  let offset = 0;
  for (let i = 0; i < MAX_BOXES && offset + 8 <= fileSize; i++) {
    const head = await read(offset, 16);
    if (head.length < 8) break;
    const type = head.toString('latin1', 4, 8);
    if (i === 0 && !FIRST_BOXES.includes(type)) break; // not an ISO media file at all
    if (moovFirst === undefined && (type === 'moov' || type === 'mdat')) moovFirst = type === 'moov';
    let size = head.readUInt32BE(0);
    if (size === 1) {
      if (head.length < 16) break;
      size = Number(head.readBigUInt64BE(8));
    } else if (size === 0) {
      break; // runs to the end of the file
    }
    if (size < 8) break; // not box structure (not an MP4, or damaged): ffprobe judges that
    if (offset + size > fileSize) return { moovFirst, truncated: true };
    offset += size;
  }
  return { moovFirst, truncated: false };
}

/** readAtomLayout on a file on disk. */
export function atomLayoutOfFile(path: string): Promise<AtomLayout> {
  return withReadAt(path, readAtomLayout);
}

/** Runs `reader` on the file at `path` (a ReadAt over it, and its size), closing it after. */
export async function withReadAt<T>(
  path: string,
  reader: (read: ReadAt, fileSize: number) => Promise<T>,
): Promise<T> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await reader(async (offset, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    }, size);
  } finally {
    await file.close();
  }
}
