import { type CborValue, cborEach, cborEncode } from "./cbor.js";
import { type ReadingRing, VOID } from "./reading-ring.js";

/*
 * What a deep-sleeping device keeps in flash between wakes (deep sleep clears RAM): one Storage
 * file, a CBOR sequence. First item `[lastSeq, ranIds, outbox]`: the last batch number used,
 * the ids of the commands run whose cmd_ack has not reached the hub yet (each runs once, across sleeps too: the hub sends a command again until its cmd_ack arrives), the frames still to
 * send (cmd_ack, cmd_result, config_ack, as encoded binary strings). Then one item per
 * buffered reading, `[time, seq, value…]` (seq 0: not in a batch yet), oldest first. CBOR
 * keeps float64 exact (JSON on Espruino prints 12 digits), and reading it back item by item
 * makes one small array at a time, never an object per reading.
 */

/** Espruino's Storage, as far as the deep-sleep client uses it. */
export interface WakeStorage {
  /** The file's contents (on the device a string read straight from flash), or undefined. */
  read(name: string): string | undefined;
  /** Write `data` at `offset` of the file; at offset 0 the file is (re)created with `size` bytes. */
  write(name: string, data: string, offset: number, size: number): void;
}

/** What the first item holds. */
export interface WakeState {
  lastSeq: number;
  ran: string[];
  outbox: string[];
}

/** The file's items, in order, each as a binary string (refused readings left out): written one by one, never whole in RAM. */
export function eachWakeItem(state: WakeState, ring: ReadingRing, each: (item: string) => void): void {
  each(cborEncode([state.lastSeq, state.ran, state.outbox]));
  for (let i = 0; i < ring.length; i++) {
    const slot = ring.slot(i);
    const seq = ring.seqAt(slot);
    if (seq === VOID) continue;
    const item: number[] = [ring.timeAt(slot), seq];
    for (let m = 0; m < ring.names.length; m++) item.push(ring.valueAt(slot, m));
    each(cborEncode(item));
  }
}

/**
 * Write the file unless it already holds exactly this (Storage's `write(name, data, offset, size)`:
 * the first piece creates the file at its full size, the others fill it). Returns whether it wrote.
 */
export function saveWake(storage: WakeStorage, name: string, stored: string | undefined, state: WakeState, ring: ReadingRing): boolean {
  let size = 0;
  let same = stored !== undefined;
  eachWakeItem(state, ring, (item) => {
    if (same && (stored as string).substr(size, item.length) !== item) same = false;
    size += item.length;
  });
  if (same && size === (stored as string).length) return false;
  let at = 0;
  eachWakeItem(state, ring, (item) => {
    storage.write(name, item, at, size);
    at += item.length;
  });
  return true;
}

/** Restore into an empty ring; returns the state (a fresh one for nothing stored or a file it cannot read). */
export function loadWake(file: string | undefined, ring: ReadingRing): WakeState {
  const state: WakeState = { lastSeq: 0, ran: [], outbox: [] };
  try {
    let first = true;
    cborEach(file || "", (item) => {
      const a = item as CborValue[];
      if (first) {
        state.lastSeq = a[0] as number;
        state.ran = a[1] as string[];
        state.outbox = a[2] as string[];
        first = false;
      } else if (ring.add(a[0] as number, a.slice(2) as number[]) && a[1]) ring.assignBatch(a[1] as number, 1);
    });
  } catch {
    // a damaged file: start afresh rather than never wake properly
  }
  return state;
}
