import type { FileHandle } from 'node:fs/promises';

export interface ScannedLine {
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
}

export interface ScanResult {
  /** Offset just past the last newline: everything after it is a torn write. */
  completeBytes: number;
  /** Bytes after the last newline (0 when the file ends cleanly). */
  tornBytes: number;
}

/**
 * Reads a log line by line from `start` (newline-terminated lines only) in 1 MiB chunks, so loading
 * a large journal never holds the whole file. Splitting on the newline byte is safe for UTF-8: 0x0A
 * never occurs inside a multi-byte character.
 */
export async function scanLines(
  handle: FileHandle,
  start: number,
  onLine: (line: ScannedLine) => void,
): Promise<ScanResult> {
  let buf = Buffer.allocUnsafe(1024 * 1024);
  let carry = 0;
  let carryOffset = start;
  let position = start;
  for (;;) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const { bytesRead } = await handle.read(buf, carry, buf.length - carry, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const end = carry + bytesRead;
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl !== -1 && nl < end; nl = buf.indexOf(10, from)) {
      onLine({ text: buf.toString('utf8', from, nl), offset: carryOffset + from });
      from = nl + 1;
    }
    buf.copy(buf, 0, from, end);
    carry = end - from;
    carryOffset += from;
  }
  return { completeBytes: carryOffset, tornBytes: carry };
}
