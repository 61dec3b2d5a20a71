import { createReadStream } from 'node:fs';

export interface ScannedLine {
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
}

export interface ScanResult {
  /** Bytes up to and including the last newline: everything after it is a torn write. */
  completeBytes: number;
  /** Bytes after the last newline (0 when the file ends cleanly). */
  tornBytes: number;
}

/**
 * Streams a log line by line (newline-terminated lines only), so loading a large journal never holds
 * the whole file. Splitting on the newline byte is safe for UTF-8: 0x0A never occurs inside a
 * multi-byte character.
 */
export async function scanLines(path: string, onLine: (line: ScannedLine) => void): Promise<ScanResult> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  let completeBytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const buf: Buffer = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      onLine({ text: buf.toString('utf8', start, nl), offset: carryOffset + start });
      start = nl + 1;
    }
    completeBytes = carryOffset + start;
    carry = buf.subarray(start);
    carryOffset = completeBytes;
  }
  return { completeBytes, tornBytes: carry.length };
}
