import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stateOrder, stateSegments } from "../../src/charts/state-segments.js";
import { formatInstant, timeTicks } from "../../src/charts/time-format.js";
import { timeAxisTicks } from "../../src/charts/time-ticks.js";

describe("stateSegments: a state timeline's spans", () => {
  it("merges samples while the state holds and ends the last span at the range's end", () => {
    const segments = stateSegments([0, 1_000, 2_000, 3_000], [true, true, false, false], 4_000);
    assert.deepEqual(segments, [
      { state: "true", from: 0, to: 2_000 },
      { state: "false", from: 2_000, to: 4_000 },
    ]);
  });

  it("a hole is no data: the span before it stops one spacing after its last sample", () => {
    const segments = stateSegments([0, 1_000, 2_000, 60_000, 61_000], ["heat", "heat", "heat", "idle", "idle"], 62_000);
    assert.deepEqual(segments, [
      { state: "heat", from: 0, to: 3_000 },
      { state: "idle", from: 60_000, to: 62_000 },
    ]);
  });

  it("orders the profile's states first, then the others as they appear", () => {
    const segments = [stateSegments([0, 1_000], ["fault", "idle"], 2_000)];
    assert.deepEqual(stateOrder(["idle", "heat"], segments), ["idle", "heat", "fault"]);
  });
});

describe("time axis labels", () => {
  const day = Date.UTC(2026, 11, 6);

  it("times within a day; dates under the first tick of each day when the range spans days", () => {
    assert.deepEqual(timeTicks([day + 3_600_000, day + 7_200_000], 3_600_000, "UTC"), ["01:00", "02:00"]);
    const labels = timeTicks([day - 6 * 3_600_000, day - 3 * 3_600_000, day, day + 3 * 3_600_000], 3 * 3_600_000, "UTC");
    assert.deepEqual(labels, ["18:00\n5 Dec", "21:00", "00:00\n6 Dec", "03:00"]);
    assert.deepEqual(timeTicks([day, day + 86_400_000], 86_400_000, "UTC"), ["6 Dec", "7 Dec"]);
    assert.deepEqual(timeTicks([day + 10_000, day + 20_000], 10_000, "UTC"), ["00:00:10", "00:00:20"]);
  });

  it("a tooltip's instant in full, marked UTC", () => {
    assert.equal(formatInstant(day + 3_723_000, "UTC"), "6 Dec 2026, 01:02:03 UTC");
  });

  it("ticks on the zone's round times with room between them", () => {
    const { ticks, increment } = timeAxisTicks(day + 1, day + 6 * 3_600_000, 600, "UTC");
    assert.equal(increment, 3_600_000);
    assert.deepEqual(ticks.slice(0, 2), [day + 3_600_000, day + 7_200_000]);
  });
});
