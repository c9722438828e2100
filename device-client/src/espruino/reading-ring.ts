/*
 * The offline buffer: a ring of readings packed into typed arrays allocated once, so the
 * heap does not grow however long the hub is away. A reading is a timestamp and one float64
 * per declared metric (NaN: absent). Each slot also holds the sequence number of the batch
 * it went into (0: not batched yet). Batches are assigned oldest first, so along the ring
 * the numbers never decrease and unbatched readings are at the tail.
 */

/** Marks the readings of a batch the hub refused for good (`TH_BATCH_INVALID`): never sent again. */
export const VOID = 0xffffffff;

/** A finite number (`x - x` is NaN for NaN and ±Infinity), without `Number.isFinite`. */
function finite(x: unknown): boolean {
  return typeof x === "number" && x - x === 0;
}

export class ReadingRing {
  /** Metric names, in the order of each reading's values. */
  readonly names: string[];
  /** How many readings the ring holds. */
  readonly capacity: number;
  /** Readings dropped (oldest first) because the ring was full. */
  dropped = 0;
  private readonly times: Float64Array;
  private readonly packed: Float64Array;
  private readonly seqs: Uint32Array;
  private head = 0;
  private size = 0;
  /** The newest reading's time: the next one is kept at least 1 ms after it (one ms holds one point). */
  private last = -1;

  constructor(names: string[], capacity: number) {
    this.names = names;
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.packed = new Float64Array(capacity * names.length);
    this.seqs = new Uint32Array(capacity);
  }

  /** Readings held. */
  get length(): number {
    return this.size;
  }

  /** Bytes of the packed storage: fixed at construction. */
  get byteLength(): number {
    return this.times.byteLength + this.packed.byteLength + this.seqs.byteLength;
  }

  /** Slot of the i-th oldest reading. */
  slot(i: number): number {
    return (this.head + i) % this.capacity;
  }

  /** Sequence number of a slot (0: not batched). */
  seqAt(slot: number): number {
    return this.seqs[slot] as number;
  }

  timeAt(slot: number): number {
    return this.times[slot] as number;
  }

  valueAt(slot: number, metric: number): number {
    return this.packed[slot * this.names.length + metric] as number;
  }

  /**
   * Append a reading (`values` in the order of `names`; NaN or a non-number: absent). A full
   * ring first drops its oldest reading, and with it the rest of that reading's batch (a
   * number is never reused for different data). A reading taken less than 1 ms after the
   * previous one is stamped 1 ms after it, so no two readings share a timestamp. Returns false
   * for a reading with no value.
   */
  add(time: number, values: number[]): boolean {
    let any = false;
    for (let m = 0; m < this.names.length; m++) if (finite(values[m])) any = true;
    if (!any) return false;
    if (this.size === this.capacity) {
      const seq = this.seqs[this.head] as number;
      this.dropHead();
      while (seq !== 0 && this.size > 0 && this.seqs[this.head] === seq) this.dropHead();
    }
    const slot = this.slot(this.size);
    if (time < this.last + 1) time = this.last + 1;
    this.last = time;
    this.times[slot] = time;
    this.seqs[slot] = 0;
    for (let m = 0; m < this.names.length; m++) {
      const v = values[m];
      this.packed[slot * this.names.length + m] = finite(v) ? (v as number) : NaN;
    }
    this.size++;
    return true;
  }

  private dropHead(): void {
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    this.dropped++;
  }

  /** Readings not yet in a batch. */
  unbatched(): number {
    let n = 0;
    for (let i = this.size - 1; i >= 0 && this.seqs[this.slot(i)] === 0; i--) n++;
    return n;
  }

  /** Put up to `max` of the oldest unbatched readings into batch `seq`; returns how many. */
  assignBatch(seq: number, max: number): number {
    let i = this.size - this.unbatched();
    let n = 0;
    for (; i < this.size && n < max; i++, n++) this.seqs[this.slot(i)] = seq;
    return n;
  }

  /** The lowest batch number above `after` still held, or 0. */
  nextBatch(after: number): number {
    for (let i = 0; i < this.size; i++) {
      const seq = this.seqs[this.slot(i)] as number;
      if (seq === 0) return 0;
      if (seq > after && seq !== VOID) return seq;
    }
    return 0;
  }

  /** Whether batch `seq` is held. */
  has(seq: number): boolean {
    for (let i = 0; i < this.size; i++) if (this.seqs[this.slot(i)] === seq) return true;
    return false;
  }

  /** Batches held with a number in (after, upTo]: the ones in flight. */
  countBatches(after: number, upTo: number): number {
    let n = 0;
    let last = 0;
    for (let i = 0; i < this.size; i++) {
      const seq = this.seqs[this.slot(i)] as number;
      if (seq !== last && seq > after && seq <= upTo && seq !== VOID) n++;
      last = seq;
    }
    return n;
  }

  /** An ack (cumulative): forget every batch numbered ≤ `seq`. */
  settle(seq: number): void {
    while (this.size > 0) {
      const s = this.seqs[this.head] as number;
      if (s !== VOID && (s === 0 || s > seq)) break;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
  }

  /** Add `shift` to the numbers of the batches numbered in [from, to] (numbers the hub turned out to hold already). */
  renumber(from: number, to: number, shift: number): void {
    for (let i = 0; i < this.size; i++) {
      const slot = this.slot(i);
      const seq = this.seqs[slot] as number;
      if (seq >= from && seq <= to) this.seqs[slot] = seq + shift;
    }
  }

  /** A batch refused for good: never send it again; its slots are freed when the head passes them. */
  discard(seq: number): void {
    for (let i = 0; i < this.size; i++) if (this.seqs[this.slot(i)] === seq) this.seqs[this.slot(i)] = VOID;
  }
}
