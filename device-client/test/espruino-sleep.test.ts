import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildBundle, ESPRUINO_BUNDLE_BUDGET, SLEEP_ENTRY } from "../scripts/espruino/bundle.js";
import { checkBundle, formatViolations } from "../scripts/espruino/gate.js";
import { cborEach, cborEncode } from "../src/espruino/cbor.js";
import { ReadingRing } from "../src/espruino/reading-ring.js";
import { loadWake, saveWake, type WakeState } from "../src/espruino/wake-store.js";

/*
 * The deep-sleep client's pieces that need no hub (docs/esp32.md, "Deep sleep over HTTP"): what it
 * keeps in flash across a sleep, and its bundle under the same gate and budget as the WebSocket one.
 * Against the real hub: hub/test/espruino-sleep.test.ts.
 */

/** Storage with Espruino's `write(name, data, offset, size)`, counting the files it creates. */
function flash() {
  const files = new Map<string, string>();
  let writes = 0;
  return {
    files,
    writes: () => writes,
    read: (name: string) => files.get(name),
    write: (name: string, data: string, offset: number, size: number) => {
      if (offset === 0) {
        writes++;
        files.set(name, "\xff".repeat(size));
      }
      const old = files.get(name) as string;
      files.set(name, old.slice(0, offset) + data + old.slice(offset + data.length));
    },
  };
}

function readings(ring: ReadingRing): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < ring.length; i++) {
    const slot = ring.slot(i);
    out.push([ring.timeAt(slot), ring.seqAt(slot), ...ring.names.map((_, m) => ring.valueAt(slot, m))]);
  }
  return out;
}

describe("the deep-sleep client's flash file and bundle", () => {
  test("readings, batch numbers, command ids and pending frames survive a save and a load exactly; a refused batch is left out", () => {
    const ring = new ReadingRing(["temp", "rssi", "heap"], 20);
    ring.add(1764000000000.25, [21.123456789012344, -67, NaN]);
    ring.add(1764000300000.5, [Math.PI, NaN, 98765]);
    ring.assignBatch(7, 1);
    ring.assignBatch(8, 1);
    ring.add(1764000600000.75, [1e-300, -0.5, 2 ** 40]);
    ring.add(1764000900000, [-1, -1, -1]);
    ring.assignBatch(9, 1);
    ring.discard(9);
    const state: WakeState = {
      lastSeq: 9,
      ran: ["c1", "c2"],
      outbox: [cborEncode({ t: "cmd_ack", id: "c2" }), cborEncode({ t: "cmd_result", id: "c2", ok: true, res: "\xe9\xff" })],
    };
    const storage = flash();
    assert.equal(saveWake(storage, "telehub.wake", undefined, state, ring), true);
    assert.equal(storage.writes(), 1);

    const back = new ReadingRing(["temp", "rssi", "heap"], 20);
    const loaded = loadWake(storage.read("telehub.wake"), back);
    assert.deepEqual(loaded, state);
    const kept = readings(ring);
    kept.splice(2, 1);
    assert.deepEqual(readings(back), kept, "the refused reading is not kept, the unbatched one is");
    const frames: unknown[] = [];
    for (const f of loaded.outbox) cborEach(f, (v) => frames.push(v));
    assert.deepEqual(frames[1], { t: "cmd_result", id: "c2", ok: true, res: "\xe9\xff" });

    // The same contents again: no new copy in flash.
    assert.equal(saveWake(storage, "telehub.wake", storage.read("telehub.wake"), loaded, back), false);
    assert.equal(storage.writes(), 1);
    back.settle(8);
    assert.equal(saveWake(storage, "telehub.wake", storage.read("telehub.wake"), loaded, back), true);
    assert.equal(storage.writes(), 2);
  });

  test("a missing or damaged file starts afresh", () => {
    const ring = new ReadingRing(["temp"], 4);
    assert.deepEqual(loadWake(undefined, ring), { lastSeq: 0, ran: [], outbox: [] });
    assert.deepEqual(loadWake("\x83\x01", ring), { lastSeq: 0, ran: [], outbox: [] });
    assert.equal(ring.length, 0);
  });

  test("the sleep bundle passes the gate, leaves the WebSocket out and fits the 12 KB budget", async () => {
    const bundle = await buildBundle(SLEEP_ENTRY);
    assert.equal(bundle.files.at(-1), "main-sleep.ts");
    assert.ok(!bundle.files.some((f) => f.startsWith("ws-") || f === "websocket.ts" || f.startsWith("testing/")), bundle.files.join());
    assert.equal(formatViolations(checkBundle(bundle.code)), "");
    assert.equal(formatViolations(checkBundle(bundle.minified)), "");
    assert.ok(bundle.minified.length <= ESPRUINO_BUNDLE_BUDGET, `minified sleep bundle is ${bundle.minified.length} bytes`);
  });
});
