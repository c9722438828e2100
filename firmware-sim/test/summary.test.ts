import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summaryText } from "../src/output/summary.js";
import type { RunOutcome } from "../src/run/simulation.js";

function outcome(refused: Record<string, number>): RunOutcome {
  return {
    final: {
      elapsedMs: 2_000,
      devices: 4,
      connected: 4,
      sent: 40,
      acknowledged: 40,
      pending: 0,
      dropped: 0,
      rejected: 0,
      reconnects: 12,
      refused,
      sentPerSecond: 20,
      ackP50Ms: 3,
      ackP99Ms: 9,
    },
    faults: { disconnects: 0, kills: 0, malformed: 0, bursts: 0 },
    ackP50Ms: 3,
    ackP99Ms: 9,
    elapsedMs: 2_000,
    unacknowledgedAfterDrain: 0,
    sentByDevice: new Map(),
    acknowledgedByDevice: new Map(),
    droppedByDevice: new Map(),
    errors: new Map(),
    startedAtWallMs: 0,
  };
}

describe("run summary", () => {
  it("names refused attempts by code, most first, and suggests --ramp for TH_HUB_BUSY on an unramped run", () => {
    const text = summaryText("title", outcome({ "HTTP 429": 2, TH_HUB_BUSY: 9 }), undefined, false);
    assert.match(text, /reconnects +12, of them refused at connect: TH_HUB_BUSY 9, HTTP 429 2\n/);
    assert.match(text, /hint +the hub turned 9 connection attempts away .*--ramp <devices\/s>/);
  });

  it("no hint when the run was ramped, or when nothing was refused as busy", () => {
    assert.doesNotMatch(summaryText("title", outcome({ TH_HUB_BUSY: 9 }), undefined, true), /hint/);
    const other = summaryText("title", outcome({ "HTTP 429": 2 }), undefined, false);
    assert.doesNotMatch(other, /hint/);
    assert.match(other, /reconnects +12, of them refused at connect: HTTP 429 2\n/);
    assert.match(summaryText("title", outcome({}), undefined, false), /reconnects +12\n/);
  });
});
