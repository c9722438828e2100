import { cborHead, cborNumber, cborText } from "./cbor.js";
import type { ReadingRing } from "./reading-ring.js";

/*
 * A `batch` frame written straight from the packed ring into a binary string: no reading
 * objects are built, so sending costs the frame's bytes and nothing more. Same bytes as
 * cbor-x encoding `{t, seq, r: [{ts, m}], rs?}`.
 */

/** Encode batch `seq`, timestamps shifted by `offset` ms (the hub's time base) and truncated. */
export function encodeBatch(ring: ReadingRing, seq: number, offset: number, resume: boolean): string {
  let readings = "";
  let n = 0;
  for (let i = 0; i < ring.length; i++) {
    const slot = ring.slot(i);
    if (ring.seqAt(slot) !== seq) continue;
    let metrics = "";
    let k = 0;
    for (let m = 0; m < ring.names.length; m++) {
      const v = ring.valueAt(slot, m);
      if (v - v !== 0) continue; // NaN: absent
      metrics += cborText(ring.names[m] as string) + cborNumber(v);
      k++;
    }
    readings += "\xa2\x62ts" + cborNumber(Math.floor(ring.timeAt(slot) + offset)) + "\x61m" + cborHead(5, k) + metrics;
    n++;
  }
  return (
    (resume ? "\xa4" : "\xa3") +
    "\x61t\x65batch\x63seq" +
    cborNumber(seq) +
    "\x61r" +
    cborHead(4, n) +
    readings +
    (resume ? "\x62rs\xf5" : "")
  );
}
