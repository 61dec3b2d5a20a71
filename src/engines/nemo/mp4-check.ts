import type { FileHandle } from 'node:fs/promises';

/** An MP4 (ISO BMFF) file begins with a box whose type is `ftyp` (bytes 4–7). */
export function hasFtypBox(head: Uint8Array): boolean {
  return head.length >= 8 && Buffer.from(head.subarray(4, 8)).toString('latin1') === 'ftyp';
}

export async function fileHasFtyp(handle: FileHandle): Promise<boolean> {
  const head = Buffer.alloc(12);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  return hasFtypBox(head.subarray(0, bytesRead));
}
