const EMPTY = -1;
const GONE = -2;

/**
 * Hash → slots, oldest first: an open-addressing table of slot numbers (linear probing) whose
 * hashes live in `hashOf`, so a key costs 4-8 bytes and no object. Removed entries are tombstones.
 */
export class HashSlots {
  private table = new Int32Array(2048).fill(EMPTY);
  private used = 0;

  constructor(private readonly hashOf: (slot: number) => number) {}

  reserve(extra: number): void {
    if ((this.used + extra) * 2 > this.table.length) this.rehash(this.used + extra);
  }

  get(hash: number): number[] {
    const out: number[] = [];
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i]!;
      if (slot === EMPTY) break;
      if (slot !== GONE && this.hashOf(slot) === hash) out.push(slot);
    }
    return out.sort((a, b) => a - b);
  }

  add(hash: number, slot: number): void {
    if ((this.used + 1) * 2 > this.table.length) this.rehash(this.used + 1);
    const mask = this.table.length - 1;
    let i = hash & mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & mask;
    this.table[i] = slot;
    this.used++;
  }

  remove(hash: number, slot: number): void {
    const mask = this.table.length - 1;
    for (let i = hash & mask; this.table[i] !== EMPTY; i = (i + 1) & mask) {
      if (this.table[i] === slot) {
        this.table[i] = GONE;
        return;
      }
    }
  }

  private rehash(need: number): void {
    const old = this.table;
    let size = this.table.length;
    while (need * 2 > size) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.used = 0;
    const mask = size - 1;
    for (const slot of old) {
      if (slot === EMPTY || slot === GONE) continue;
      let i = this.hashOf(slot) & mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & mask;
      this.table[i] = slot;
      this.used++;
    }
  }
}
