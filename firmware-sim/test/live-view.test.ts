import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LiveView } from "../src/output/live-view.js";
import type { FleetSnapshot } from "../src/run/fleet-stats.js";

const snapshot = (sent: number): FleetSnapshot => ({
  elapsedMs: 2_000,
  devices: 4,
  connected: 3,
  sent,
  acknowledged: sent - 5,
  pending: 5,
  dropped: 0,
  rejected: 0,
  reconnects: 1,
  refused: {},
  sentPerSecond: 20,
  ackP50Ms: 3,
  ackP99Ms: 9,
});

function capture(isTTY: boolean, planned: number | undefined): { view: LiveView; out: string[] } {
  const out: string[] = [];
  return { view: new LiveView({ write: (text) => out.push(text), isTTY }, planned), out };
}

describe("live output", () => {
  it("not on a TTY: one plain line per update, every figure named, no escape codes", () => {
    const { view, out } = capture(false, 100);
    view.update(snapshot(40));
    view.update(snapshot(60));
    assert.equal(out.length, 2);
    assert.match(
      out[0] as string,
      /connected 3\/4 {2}sent\/s 20 {2}acknowledged 35 {2}pending 5 {2}dropped 0 {2}reconnects 1 {2}ack p50 3\.0 ms p99 9\.0 ms\n$/,
    );
    assert.ok(!(out[1] as string).includes("\x1b"));
  });

  it("attempts the hub refused are named beside the reconnects, most first", () => {
    const { view, out } = capture(false, undefined);
    view.update({ ...snapshot(40), reconnects: 12, refused: { "HTTP 429": 2, TH_HUB_BUSY: 9 } });
    assert.match(out[0] as string, / {2}reconnects 12 \(refused: TH_HUB_BUSY 9, HTTP 429 2\) {2}ack p50/);
  });

  it("on a TTY: a redrawn block with a progress bar for fixed-count runs", () => {
    const { view, out } = capture(true, 100);
    view.update(snapshot(40));
    view.update(snapshot(60));
    assert.match(out[0] as string, /\[#{12}\.{18}\] {2}40 % {2}40 \/ 100 readings/);
    assert.ok((out[1] as string).startsWith("\x1b[2F"), "moves up over the previous two lines");
    assert.match(out[1] as string, /60 %/);
  });

  it("on a TTY without a fixed count: no progress bar", () => {
    const { view, out } = capture(true, undefined);
    view.update(snapshot(40));
    assert.ok(!(out[0] as string).includes("readings\n"));
    assert.equal((out[0] as string).split("\n").length, 2);
  });
});
