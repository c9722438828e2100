import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseHubUrl } from "../src/espruino/hub-url.js";
import { ReadingRing } from "../src/espruino/reading-ring.js";
import { createFrameReader } from "../src/espruino/ws-frame-reader.js";
import { writeFrame } from "../src/espruino/ws-frame-writer.js";
import { headerOf, upgradeStatus } from "../src/espruino/ws-handshake.js";

/** An unmasked server frame as a binary string. */
function serverFrame(opcode: number, payload: string, fin = true): string {
  const n = payload.length;
  const head = String.fromCharCode((fin ? 0x80 : 0) | opcode);
  if (n < 126) return head + String.fromCharCode(n) + payload;
  if (n < 0x10000) return head + String.fromCharCode(126, n >> 8, n & 0xff) + payload;
  return head + String.fromCharCode(127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff) + payload;
}

function reader(max = 1 << 20) {
  const frames: [number, string][] = [];
  const fails: [number, string][] = [];
  const push = createFrameReader(
    max,
    (op, p) => frames.push([op, p]),
    (code, reason) => fails.push([code, reason]),
  );
  const r = { push };
  return { r, frames, fails };
}

describe("WebSocket frames of the Espruino client", () => {
  test("reassembles a fragmented message with a ping between the fragments, fed one byte at a time", () => {
    const { r, frames, fails } = reader();
    const big = "\xff\x00".repeat(40_000);
    const stream = serverFrame(2, "ab\xfe", false) + serverFrame(9, "hi") + serverFrame(0, big, false) + serverFrame(0, "z");
    for (const ch of stream) r.push(ch);
    assert.deepEqual(fails, []);
    assert.deepEqual(frames, [
      [9, "hi"],
      [2, `ab\xfe${big}z`],
    ]);
  });

  test("refuses with a close code: masked server frames (1002), too large messages (1009), a continuation out of place (1002)", () => {
    const masked = reader();
    masked.r.push("\x82\x81abcd\x00");
    assert.equal(masked.fails[0]?.[0], 1002);
    const tooBig = reader(100);
    tooBig.r.push(serverFrame(2, "x".repeat(60), false) + serverFrame(0, "x".repeat(60)));
    assert.equal(tooBig.fails[0]?.[0], 1009);
    const stray = reader();
    stray.r.push(serverFrame(0, "x"));
    assert.equal(stray.fails[0]?.[0], 1002);
  });

  test("client frames are masked, with 7-, 16- and 64-bit lengths", () => {
    const platform = {
      net: { connect: () => assert.fail() },
      toBinaryString: (b: Uint8Array) => Buffer.from(b).toString("latin1"),
      now: () => 0,
      random: () => 0.5,
    };
    for (const n of [5, 300, 70_000]) {
      const payload = "\x01\x80".repeat(n / 2 + 1).slice(0, n);
      const frame = Buffer.from(writeFrame(platform, 2, payload), "latin1");
      assert.equal(frame[0], 0x82);
      assert.equal(frame[1]! & 0x80, 0x80, "masked");
      const at = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
      const key = frame.subarray(at, at + 4);
      const data = frame.subarray(at + 4).map((b, i) => b ^ key[i & 3]!);
      assert.equal(Buffer.from(data).toString("latin1"), payload);
    }
  });
});

describe("the hub URL and the upgrade response", () => {
  test("parses ws/wss/http/https URLs with default ports and path, refuses the rest", () => {
    assert.deepEqual(parseHubUrl("ws://10.0.0.2:8080"), { host: "10.0.0.2", port: 8080, path: "/v1/device", secure: false });
    assert.deepEqual(parseHubUrl("wss://hub.example/x/y"), { host: "hub.example", port: 443, path: "/x/y", secure: true });
    assert.deepEqual(parseHubUrl("http://h/"), { host: "h", port: 80, path: "/v1/device", secure: false });
    assert.equal(parseHubUrl("https://h:010").port, 10, "decimal, not octal");
    for (const bad of ["h:80", "ftp://h", "ws://h:8o", "ws://h:", "://h"]) assert.throws(() => parseHubUrl(bad), /bad hub URL/, bad);
  });

  test("reads the status and headers of a response head, case-insensitively", () => {
    const head = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nX-Telehub-Error:  TH_RATE_LIMITED \r\nServer: x";
    assert.equal(upgradeStatus(head), 429);
    assert.equal(headerOf(head, "retry-after"), "7");
    assert.equal(headerOf(head, "x-telehub-error"), "TH_RATE_LIMITED");
    assert.equal(headerOf(head, "server"), "x");
    assert.equal(headerOf(head, "sec-websocket-protocol"), "");
    assert.ok(Number.isNaN(upgradeStatus("SSH-2.0-OpenSSH")));
  });
});

describe("the packed reading ring", () => {
  test("a full ring drops its oldest reading with the rest of that batch, and never grows", () => {
    const ring = new ReadingRing(["a"], 4);
    const bytes = ring.byteLength;
    for (let i = 0; i < 4; i++) ring.add(i, [i]);
    assert.equal(ring.assignBatch(1, 2), 2);
    ring.add(10, [10]);
    assert.equal(ring.length, 3, "both readings of batch 1 went");
    assert.equal(ring.dropped, 2);
    assert.equal(ring.nextBatch(0), 0);
    assert.equal(ring.byteLength, bytes);
    assert.equal(ring.add(11, [Number.NaN]), false, "a reading without a value is refused");
  });

  test("acks settle batches, a refused batch is never offered again", () => {
    const ring = new ReadingRing(["a", "b"], 8);
    for (let i = 0; i < 6; i++) ring.add(i, [i, -i]);
    ring.assignBatch(1, 2);
    ring.assignBatch(2, 2);
    ring.assignBatch(3, 2);
    assert.equal(ring.countBatches(0, 3), 3);
    ring.discard(2);
    assert.equal(ring.nextBatch(1), 3);
    ring.settle(1);
    assert.equal(ring.length, 2, "batch 1 acknowledged, the refused batch 2 freed behind it");
    ring.settle(3);
    assert.equal(ring.length, 0);
  });
});
