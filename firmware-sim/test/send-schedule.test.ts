import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SendSchedule } from "../src/run/send-schedule.js";

describe("send schedule", () => {
  it("a --duration run has a fixed total per device, which a late burst does not raise", () => {
    // 20 devices at 1 reading/s for 40 s: 40 readings each, 800 in all.
    const schedule = new SendSchedule({ devices: 20, rate: 1, startOffsetMs: new Array(20).fill(0), durationMs: 40_000 });
    const totals = Array.from({ length: 20 }, (_, i) => schedule.total(i));
    assert.equal(
      totals.reduce((a, b) => a + b, 0),
      800,
    );
    // Device 3 bursts 100 readings at 39 s: only what its total has left goes out.
    const sentBefore = schedule.due(3, 39_000);
    assert.equal(schedule.total(3), 40);
    assert.equal(sentBefore, 39);
    assert.equal(schedule.burst(3, sentBefore, 100), 1);
    assert.equal(schedule.burst(3, schedule.total(3), 100), 0, "nothing once the total is sent");
    assert.equal(schedule.burst(3, 10, 5), 5, "a burst within the total is sent whole");
    // After the end, what is due never passes the total.
    assert.equal(schedule.due(3, 41_000), schedule.total(3));
  });

  it("a --readings run: the total is the count; devices start one after another with a ramp", () => {
    const schedule = new SendSchedule({ devices: 2, rate: 10, startOffsetMs: [0, 500], readingsPerDevice: 5 });
    assert.equal(schedule.total(1), 5);
    assert.equal(schedule.due(1, 400), 0, "not started yet");
    assert.equal(schedule.due(0, 60_000), 5);
  });

  it("phases are spread: device i of n sends its first reading i/n of a period after its start", () => {
    const schedule = new SendSchedule({ devices: 4, rate: 1, startOffsetMs: [0, 0, 0, 0] });
    assert.equal(schedule.total(0), Number.POSITIVE_INFINITY);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => schedule.due(i, 0)),
      [1, 0, 0, 0],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => schedule.due(i, 500)),
      [1, 1, 1, 0],
    );
  });
});
