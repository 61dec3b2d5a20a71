import { randomBytes } from 'node:crypto';
import { readFile, rm, type FileHandle } from 'node:fs/promises';
import type { JobRecord } from '../domain/job.js';
import type { DoneSlot } from './done-slots.js';
import { ChunkedWriter, WindowReader, writeAll } from './journal-file-io.js';
import { decodeKeys, encodeKeys, type DoneKeys } from './journal-keys.js';
import { decodeMarker, encodeLine, encodeMarker } from './journal-line.js';

export interface CompactSource {
  /** The log now open, whose done lines are copied as they are. */
  handle: FileHandle | undefined;
  doneSlots: DoneSlot[];
  activeRecords: Iterable<JobRecord>;
  folderNames: readonly string[];
  openFile: (path: string, flags: string) => Promise<FileHandle>;
}

export interface Compacted {
  /** The new log's size. */
  bytes: number;
  /** Where each done slot's line is in the new log. */
  moved: { slot: number; offset: number }[];
}

/**
 * Writes the compacted log to `tmp` (marker, done lines copied as they are, then the other records)
 * and its keys file to `keysTmp`, both fsynced; the caller renames them into place. The marker's
 * random token binds the two. On failure both temp files are removed.
 */
export async function writeCompacted(src: CompactSource, tmp: string, keysTmp: string): Promise<Compacted> {
  const token = randomBytes(16).toString('hex');
  const moved: { slot: number; offset: number }[] = [];
  try {
    const out = new ChunkedWriter(await src.openFile(tmp, 'w'));
    try {
      await out.add(encodeMarker(token));
      const source = new WindowReader(src.handle);
      for (const slot of src.doneSlots) {
        moved.push({ slot: slot.slot, offset: out.bytes });
        await out.add(await source.bytes(slot.offset, slot.length));
      }
      const coveredBytes = out.bytes;
      for (const job of src.activeRecords) await out.add(encodeLine(job));
      const bytes = await out.finish();
      const entries = src.doneSlots.map((s, i) => ({ ...s, offset: moved[i]!.offset }));
      const keys = encodeKeys({ token, coveredBytes, folders: [...src.folderNames], entries });
      await writeKeys(src.openFile, keysTmp, keys);
      return { bytes, moved };
    } finally {
      await out.close();
    }
  } catch (err) {
    await rm(tmp, { force: true });
    await rm(keysTmp, { force: true });
    throw err;
  }
}

async function writeKeys(openFile: CompactSource['openFile'], path: string, keys: Buffer): Promise<void> {
  const keysOut = await openFile(path, 'w');
  try {
    await writeAll(keysOut, keys, 0);
    await keysOut.sync();
  } finally {
    await keysOut.close();
  }
}

/** The keys file at `keysFile`, if it is intact and was written with the log `handle` is open on. */
export async function readTrustedKeys(keysFile: string, handle: FileHandle): Promise<DoneKeys | undefined> {
  const keys = await readFile(keysFile).then(decodeKeys, () => undefined);
  if (!keys) return undefined;
  const head = Buffer.alloc(128);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  const nl = head.subarray(0, bytesRead).indexOf(10);
  if (nl === -1 || decodeMarker(head.toString('utf8', 0, nl)) !== keys.token) return undefined;
  return keys.coveredBytes <= (await handle.stat()).size ? keys : undefined;
}
