import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryBuffer } from "../src/node/index.js";
import { offlineBufferContract, readings } from "./support/offline-buffer-contract.js";

offlineBufferContract("MemoryBuffer", async (maxReadings) => new MemoryBuffer({ maxReadings }));

test("MemoryBuffer defaults to 10,000 readings and refuses a bad bound", () => {
  assert.equal(new MemoryBuffer().maxReadings, 10_000);
  assert.throws(() => new MemoryBuffer({ maxReadings: 0 }), RangeError);
});

test("MemoryBuffer: a new instance is unsynced again (a process restart)", () => {
  const buffer = new MemoryBuffer();
  buffer.resync(5);
  buffer.append(readings(1));
  assert.equal(new MemoryBuffer().synced, false);
});
