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

function capture(isTTY: boolean, planned: number | undefined, columns = 200): { view: LiveView; out: string[] } {
  const out: string[] = [];
  return { view: new LiveView({ write: (text) => out.push(text), isTTY, columns }, planned), out };
}

/** A terminal control sequence (`ESC [ 2 F`), built from the code so no control character sits in a regex literal. */
const CONTROL = `${String.fromCharCode(27)}\\[(\\d*)([A-Za-z])`;
const CONTROL_SPLIT = new RegExp(`(${CONTROL.replace("(\\d*)([A-Za-z])", "\\d*[A-Za-z]")})`);
const CONTROL_ONLY = new RegExp(`^${CONTROL}$`);
const CONTROL_ALL = new RegExp(CONTROL, "g");

/** What a terminal `columns` wide shows after the view's writes: escape codes applied, the visible lines. */
function screen(writes: readonly string[], columns: number): string[] {
  const rows: string[] = [];
  let row = 0;
  let col = 0;
  for (const text of writes) {
    for (const token of text.split(CONTROL_SPLIT)) {
      const code = CONTROL_ONLY.exec(token);
      if (code) {
        if (code[2] === "F") [row, col] = [row - Number(code[1] || 1), 0];
        if (code[2] === "K") rows[row] = "";
        if (code[2] === "J") rows.length = Math.min(rows.length, row);
        continue;
      }
      for (const ch of token) {
        if (ch === "\n") [row, col] = [row + 1, 0];
        else {
          // A terminal wraps a line that runs past its right edge.
          if (col === columns) [row, col] = [row + 1, 0];
          const line = rows[row] ?? "";
          rows[row] = line.padEnd(col).slice(0, col) + ch + line.slice(col + 1);
          col++;
        }
      }
    }
  }
  return rows.filter((line) => line !== "");
}

describe("live output", () => {
  for (const columns of [60, 100, 200]) {
    it(`on a terminal ${columns} columns wide: no line is wider, and a redraw leaves no stale line`, () => {
      const { view, out } = capture(true, 100_000, columns);
      const busy = { ...snapshot(40_000), reconnects: 1_234, refused: { TH_HUB_BUSY: 1_600, "HTTP 429": 3 } };
      view.update(busy);
      for (const text of out) for (const line of text.split("\n")) assert.ok(line.replace(CONTROL_ALL, "").length <= columns, line);
      view.update(snapshot(60_000));
      view.update(snapshot(70_000));
      const shown = screen(out, columns);
      assert.ok(shown.every((line) => line.length <= columns));
      const stale = shown.filter((line) => line.includes("TH_HUB_BUSY") || line.includes("40,000"));
      assert.deepEqual(stale, [], "lines left from the first, taller block");
      assert.equal(shown.filter((line) => /70,000 ?\/ ?100,000/.test(line)).length, 1, shown.join("\n"));
      assert.ok(
        shown.some((line) => /(acknowledged|ack) 69,995/.test(line)),
        shown.join("\n"),
      );
    });
  }

  it("below 80 columns: the compact form, short labels; from 80 on: the labels in full", () => {
    const narrow = capture(true, undefined, 60);
    narrow.view.update(snapshot(40));
    assert.match(narrow.out[0] as string, /conn 3\/4 20\/s ack 35 pend 5/);
    const wide = capture(true, undefined, 100);
    wide.view.update(snapshot(40));
    assert.match(wide.out[0] as string, /connected 3\/4 {2}sent\/s 20 {2}acknowledged 35/);
  });

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
