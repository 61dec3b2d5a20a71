import { describe, expect, it } from 'vitest';
import { readAtomLayout } from '../../../../src/engines/local/atom-order.js';

/** A box header: 32-bit size and type; `large` writes size 1 and a 64-bit size after the type. */
function box(type: string, size: number, large = false): Buffer {
  const head = Buffer.alloc(large ? 16 : 8);
  head.writeUInt32BE(large ? 1 : size, 0);
  head.write(type, 4, 'latin1');
  if (large) head.writeBigUInt64BE(BigInt(size), 8);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length))]);
}

async function layout(file: Buffer) {
  let reads = 0;
  const result = await readAtomLayout(async (offset, length) => {
    reads++;
    return file.subarray(offset, offset + length);
  }, file.length);
  expect(reads).toBeLessThanOrEqual(8);
  return result;
}

describe('readAtomLayout', () => {
  it.each<[string, Buffer, boolean | undefined]>([
    [
      'ftyp, moov, mdat (faststart)',
      Buffer.concat([box('ftyp', 24), box('moov', 40), box('mdat', 100)]),
      true,
    ],
    [
      'ftyp, free, mdat, moov',
      Buffer.concat([box('ftyp', 24), box('free', 8), box('mdat', 100), box('moov', 40)]),
      false,
    ],
    [
      'a 64-bit mdat size before moov',
      Buffer.concat([box('ftyp', 24), box('mdat', 200, true), box('moov', 40)]),
      false,
    ],
    [
      'a 64-bit free box skipped to moov',
      Buffer.concat([box('ftyp', 24), box('free', 40, true), box('moov', 40)]),
      true,
    ],
    ['not an MP4', Buffer.from('RIFF....AVI LIST'), undefined],
    [
      'a box that claims to be smaller than its header',
      Buffer.concat([box('ftyp', 24), box('free', 8).fill(0, 0, 4)]),
      undefined,
    ],
    ['truncated after ftyp', box('ftyp', 24), undefined],
  ])('%s → %s', async (_name, file, expected) => {
    expect(await layout(file)).toEqual({ moovFirst: expected, truncated: false });
  });

  it.each<[string, Buffer, boolean | undefined]>([
    [
      'faststart cut in the media',
      Buffer.concat([box('ftyp', 24), box('moov', 40), box('mdat', 100)]).subarray(0, 120),
      true,
    ],
    [
      'mdat first cut before the index',
      Buffer.concat([box('ftyp', 24), box('mdat', 100), box('moov', 40)]).subarray(0, 80),
      false,
    ],
  ])('%s: truncated', async (_name, file, moovFirst) => {
    expect(await layout(file)).toEqual({ moovFirst, truncated: true });
  });
});
