import { crc32 } from 'node:zlib';

export const KEYS_FILE = 'journal.keys';

/**
 * The lookup keys of the done records at the head of a compacted log, so start-up reads ~30 bytes
 * per done job instead of parsing its whole line. Bound to one compacted log by a random token that
 * the log's first line (its marker) repeats: a keys file from another log is never trusted.
 */
export interface DoneKeys {
  token: string;
  /** The log's bytes [0, coveredBytes) are the marker and these done lines, nothing else. */
  coveredBytes: number;
  folders: string[];
  count: number;
  forEach(visit: (entry: DoneKeyEntry) => void): void;
}

export interface KeysToWrite {
  token: string;
  coveredBytes: number;
  folders: string[];
  entries: DoneKeyEntry[];
}

export interface DoneKeyEntry {
  offset: number;
  length: number;
  idHash: number;
  contentKeyHash: number;
  sourceHash: number;
  folder: number;
}

const MAGIC = 'VIJKEYS1';
const ENTRY_BYTES = 28;

export function encodeKeys(keys: KeysToWrite): Buffer {
  const folders = Buffer.from(JSON.stringify(keys.folders), 'utf8');
  const token = Buffer.from(keys.token, 'hex');
  const head = 8 + 16 + 8 + 4 + 4 + folders.length;
  const buf = Buffer.alloc(head + keys.entries.length * ENTRY_BYTES + 4);
  buf.write(MAGIC, 0, 'latin1');
  token.copy(buf, 8, 0, 16);
  buf.writeDoubleLE(keys.coveredBytes, 24);
  buf.writeUInt32LE(keys.entries.length, 32);
  buf.writeUInt32LE(folders.length, 36);
  folders.copy(buf, 40);
  let p = head;
  for (const e of keys.entries) {
    buf.writeDoubleLE(e.offset, p);
    buf.writeUInt32LE(e.length, p + 8);
    buf.writeUInt32LE(e.idHash, p + 12);
    buf.writeUInt32LE(e.contentKeyHash, p + 16);
    buf.writeUInt32LE(e.sourceHash, p + 20);
    buf.writeUInt16LE(e.folder, p + 24);
    p += ENTRY_BYTES;
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, p)), p);
  return buf;
}

/** The keys, or undefined when the file is not a complete, intact keys file. */
export function decodeKeys(buf: Buffer): DoneKeys | undefined {
  if (buf.length < 44 || buf.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const end = buf.length - 4;
  if (crc32(buf.subarray(0, end)) !== buf.readUInt32LE(end)) return undefined;
  const count = buf.readUInt32LE(32);
  const foldersLength = buf.readUInt32LE(36);
  const head = 40 + foldersLength;
  if (head + count * ENTRY_BYTES !== end) return undefined;
  const folders = JSON.parse(buf.toString('utf8', 40, head)) as string[];
  return {
    token: buf.toString('hex', 8, 24),
    coveredBytes: buf.readDoubleLE(24),
    folders,
    count,
    forEach(visit) {
      const entry = { offset: 0, length: 0, idHash: 0, contentKeyHash: 0, sourceHash: 0, folder: 0 };
      for (let i = 0, p = head; i < count; i++, p += ENTRY_BYTES) {
        entry.offset = buf.readDoubleLE(p);
        entry.length = buf.readUInt32LE(p + 8);
        entry.idHash = buf.readUInt32LE(p + 12);
        entry.contentKeyHash = buf.readUInt32LE(p + 16);
        entry.sourceHash = buf.readUInt32LE(p + 20);
        entry.folder = buf.readUInt16LE(p + 24);
        visit(entry);
      }
    },
  };
}

/** FNV-1a over UTF-16 code units, folded to 31 bits so it stays a small integer in V8. */
export function keyHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 1) & 0x3fffffff;
}
