import { HashSlots } from './hash-slots.js';
import type { DoneKeyEntry } from './journal-keys.js';

/** A done job as the index keeps it: where its line is, and the hashes of its lookup keys. */
export interface DoneSlot extends DoneKeyEntry {
  slot: number;
}

/**
 * The done jobs of the journal index, one slot per done line still current, in flat typed arrays
 * (a few dozen bytes per job, no object), with hash lookups by id, content key and source. A freed
 * slot has length 0; slot numbers are never reused, so they stay in log order of installation.
 */
export class DoneSlots {
  /** Slot numbers handed out so far (freed ones included). */
  end = 0;
  /** Slots still current. */
  count = 0;
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private idHashes = new Uint32Array(1024);
  private contentHashes = new Uint32Array(1024);
  private sourceHashes = new Uint32Array(1024);
  private folderOf = new Uint16Array(1024);
  readonly byId = new HashSlots((s) => this.idHashes[s]!);
  readonly byContent = new HashSlots((s) => this.contentHashes[s]!);
  readonly bySource = new HashSlots((s) => this.sourceHashes[s]!);

  offset(slot: number): number {
    return this.offsets[slot]!;
  }

  /** The bytes of the slot's line; 0 for a freed slot. */
  length(slot: number): number {
    return this.lengths[slot] ?? 0;
  }

  folder(slot: number): number {
    return this.folderOf[slot]!;
  }

  sourceHash(slot: number): number {
    return this.sourceHashes[slot]!;
  }

  setOffset(slot: number, offset: number): void {
    this.offsets[slot] = offset;
  }

  /** Room for `extra` more slots at once (a keys file installs thousands). */
  reserve(extra: number): void {
    this.grow(this.end + extra);
    this.byId.reserve(extra);
    this.byContent.reserve(extra);
    this.bySource.reserve(extra);
  }

  add(entry: DoneKeyEntry): number {
    const slot = this.end++;
    this.grow(this.end);
    this.offsets[slot] = entry.offset;
    this.lengths[slot] = entry.length;
    this.idHashes[slot] = entry.idHash;
    this.contentHashes[slot] = entry.contentKeyHash;
    this.sourceHashes[slot] = entry.sourceHash;
    this.folderOf[slot] = entry.folder;
    this.byId.add(entry.idHash, slot);
    this.byContent.add(entry.contentKeyHash, slot);
    this.bySource.add(entry.sourceHash, slot);
    this.count++;
    return slot;
  }

  /** Frees a slot; returns the bytes its line took. */
  free(slot: number): number {
    const length = this.lengths[slot]!;
    this.lengths[slot] = 0;
    this.byId.remove(this.idHashes[slot]!, slot);
    this.byContent.remove(this.contentHashes[slot]!, slot);
    this.bySource.remove(this.sourceHashes[slot]!, slot);
    this.count--;
    return length;
  }

  /** Current slots in log order, for compaction. */
  entries(): DoneSlot[] {
    const out: DoneSlot[] = [];
    for (let s = 0; s < this.end; s++) {
      if (this.lengths[s] === 0) continue;
      out.push({
        slot: s,
        offset: this.offsets[s]!,
        length: this.lengths[s]!,
        idHash: this.idHashes[s]!,
        contentKeyHash: this.contentHashes[s]!,
        sourceHash: this.sourceHashes[s]!,
        folder: this.folderOf[s]!,
      });
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  private grow(n: number): void {
    if (n <= this.lengths.length) return;
    const size = Math.max(n, this.lengths.length * 2);
    this.offsets = copyInto(this.offsets, new Float64Array(size));
    this.lengths = copyInto(this.lengths, new Uint32Array(size));
    this.idHashes = copyInto(this.idHashes, new Uint32Array(size));
    this.contentHashes = copyInto(this.contentHashes, new Uint32Array(size));
    this.sourceHashes = copyInto(this.sourceHashes, new Uint32Array(size));
    this.folderOf = copyInto(this.folderOf, new Uint16Array(size));
  }
}

function copyInto<T extends Float64Array | Uint32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
