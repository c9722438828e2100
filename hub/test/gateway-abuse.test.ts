import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeFrame } from "@telehub/device-client/protocol";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

describe("bad input and floods get their documented codes while other devices carry on", () => {
  let running: RunningHub;
  const tokens = new Map<string, string>();
  let bystander: RawDevice;
  let bystanderSeq = 0;

  async function connected(deviceId: string, options = {}): Promise<RawDevice> {
    let token = tokens.get(deviceId);
    if (!token) {
      token = await running.provision(deviceId);
      tokens.set(deviceId, token);
    }
    const device = await RawDevice.connect(running.wsUrl, { deviceId, token }, options);
    if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
    await device.hello();
    return device;
  }

  /** The bystander still streams and gets acks. */
  async function bystanderStillWorks(): Promise<void> {
    bystanderSeq++;
    bystander.send({ t: "batch", seq: bystanderSeq, r: [{ ts: bystanderSeq, m: { ok: bystanderSeq } }] });
    await bystander.ackFor(bystanderSeq);
  }

  before(async () => {
    running = await startHub({
      limits: { maxFrameBytes: 4_096, maxFramesPerSecond: 20, frameBurst: 20, maxBatchesInFlight: 4 },
      gateway: { floodStrikes: 10 },
    });
    bystander = await connected("bystander");
  });
  after(async () => {
    bystander.close();
    await running.dispose();
  });

  test("bytes that are not CBOR close with 4400 TH_FRAME_MALFORMED", async () => {
    const device = await connected("malformed");
    device.sendBytes(Uint8Array.from([0xff, 0xfe, 0x1f, 0x00]));
    assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
    await bystanderStillWorks();
  });

  test("CBOR that is not a map, or has no string t, closes with 4400 TH_FRAME_MALFORMED", async () => {
    for (const value of [[1, 2, 3], { type: "batch" }, "hello"]) {
      const device = await connected("malformed");
      device.sendBytes(encodeFrame(value as never));
      assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
    }
    await bystanderStillWorks();
  });

  test("a truncated CBOR frame closes with 4400 TH_FRAME_MALFORMED", async () => {
    const device = await connected("malformed");
    const bytes = encodeFrame({ t: "batch", seq: 1, r: [{ ts: 1, m: { a: 1 } }] });
    device.sendBytes(bytes.subarray(0, bytes.length - 3));
    assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
  });

  test("a frame over maxFrameBytes closes with 1009, the reason TH_FRAME_TOO_LARGE", async () => {
    const device = await connected("oversized");
    const big = Array.from({ length: 200 }, (_, i) => ({ ts: i, m: { value: "x".repeat(200) } }));
    device.send({ t: "batch", seq: 1, r: big });
    assert.deepEqual(await device.closed(), { code: 1009, reason: "TH_FRAME_TOO_LARGE" });
    await bystanderStillWorks();
  });

  test("a text frame closes with 1003 TH_FRAME_TEXT", async () => {
    const device = await connected("texter");
    device.sendBytes('{"t":"hello"}', false);
    assert.deepEqual(await device.closed(), { code: 1003, reason: "TH_FRAME_TEXT" });
  });

  test("an unknown frame type gets a TH_FRAME_UNKNOWN_TYPE error frame and the connection stays open", async () => {
    const device = await connected("curious");
    for (const type of ["teleport", "constructor", "__proto__", "toString", "welcome"]) {
      device.send({ t: type, to: "mars" });
      const error = await device.next("error");
      assert.equal(error.code, "TH_FRAME_UNKNOWN_TYPE", type);
    }
    const metrics = await running.hub.metrics.registry.getSingleMetricAsString("telehub_frames_received_total");
    assert.match(metrics, /type="unknown"} 5/);
    assert.doesNotMatch(metrics, /teleport/);
    device.send({ t: "batch", seq: 1, r: [{ ts: 1, m: { a: 1 } }] });
    await device.ackFor(1);
    device.close();
  });

  test("a device over its frame rate gets TH_RATE_LIMITED with a retry delay, then TH_FLOOD (4429) if it keeps going", async () => {
    const device = await connected("flooder");
    for (let seq = 1; seq <= 60; seq++) device.send({ t: "batch", seq, r: [{ ts: seq, m: { a: seq } }] });
    const { code, reason } = await device.closed();
    assert.deepEqual([code, reason], [4429, "TH_FLOOD"]);
    const limited = device.frames.filter((f) => f.t === "error" && f.code === "TH_RATE_LIMITED");
    assert.ok(limited.length > 0, "rate-limit answers came before the close");
    assert.ok(limited.every((f) => typeof f.retry === "number" && (f.retry as number) > 0));
    const acked = Math.max(0, ...device.frames.filter((f) => f.t === "ack").map((f) => f.seq as number));
    const firstRefused = Math.min(...limited.map((f) => f.seq as number));
    // Batches accepted before the close may commit after it (their acks then never go out; a
    // device resends them and they count once): one value per batch.
    await eventually(async () => (await running.hub.telemetry.countValues("flooder")) >= acked, "everything acknowledged is stored");
    const stored = await running.hub.telemetry.countValues("flooder");
    assert.ok(stored <= firstRefused - 1, `nothing from the first refused batch (${firstRefused}) on was stored (${stored} values)`);
    await bystanderStillWorks();
  });

  test("a flood of other frames (unknown types, reports) is rate-limited too and ends in TH_FLOOD", async () => {
    const device = await connected("chatty");
    for (let i = 0; i < 80; i++) device.send({ t: i % 2 === 0 ? "report" : "nonsense", attrs: { i } });
    const { code, reason } = await device.closed();
    assert.deepEqual([code, reason], [4429, "TH_FLOOD"]);
    assert.ok(device.frames.some((f) => f.t === "error" && f.code === "TH_RATE_LIMITED"));
    await bystanderStillWorks();
  });

  test("more than maxBatchesInFlight unacknowledged batches get TH_IN_FLIGHT_EXCEEDED", async () => {
    const device = await connected("eager");
    const batch = (seq: number) => ({ t: "batch", seq, r: Array.from({ length: 50 }, (_, i) => ({ ts: seq * 1000 + i, m: { a: i } })) });
    for (let seq = 1; seq <= 12; seq++) device.send(batch(seq));
    await new Promise((r) => setTimeout(r, 300));
    const errors = device.frames.filter((f) => f.t === "error");
    assert.ok(errors.length > 0 && errors.every((f) => f.code === "TH_IN_FLIGHT_EXCEEDED" || f.code === "TH_RATE_LIMITED"));
    const firstRefused = Math.min(...errors.map((f) => f.seq as number));
    const acked = Math.max(0, ...device.frames.filter((f) => f.t === "ack").map((f) => f.seq as number));
    assert.equal(acked, firstRefused - 1, "the stream stops at the first refused batch");
    assert.equal(await running.hub.telemetry.lastSequence("eager"), acked);
    device.close();
  });
});

describe("byte rate", () => {
  test("a device over maxBytesPerSecond gets TH_RATE_LIMITED for the batch that does not fit, and stores it after resending", async () => {
    const running = await startHub({ limits: { maxBytesPerSecond: 4_000, maxFrameBytes: 4_096 } });
    try {
      const token = await running.provision("bulky");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "bulky", token });
      if (isRefusal(device)) assert.fail(device.code);
      await device.hello();
      const batch = (seq: number) => ({
        t: "batch",
        seq,
        r: [{ ts: seq, m: { blob: "x".repeat(250) } }, ...Array.from({ length: 10 }, (_, i) => ({ ts: seq * 100 + i, m: { n: i } }))],
      });
      for (let seq = 1; seq <= 12; seq++) device.send(batch(seq));
      const refused = await device.next("error");
      assert.equal(refused.code, "TH_RATE_LIMITED");
      assert.ok((refused.retry as number) >= 50);
      const firstRefused = refused.seq as number;
      assert.ok(firstRefused > 1 && firstRefused <= 12, "the first batches fit the byte burst");
      await new Promise((r) => setTimeout(r, (refused.retry as number) + 1_500));
      device.frames.length = 0;
      device.send(batch(firstRefused));
      await device.ackFor(firstRefused);
      assert.equal(await running.hub.telemetry.lastSequence("bulky"), firstRefused);
      device.close();
    } finally {
      await running.dispose();
    }
  });
});

describe("heartbeats and sessions", () => {
  test("a peer that stops answering pings is closed with 4410 TH_HEARTBEAT_TIMEOUT and removed from presence", async () => {
    const running = await startHub({ gateway: { heartbeatIntervalMs: 100 } });
    try {
      const token = await running.provision("silent");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "silent", token }, { autoPong: false });
      assert.ok(!isRefusal(device));
      await device.hello();
      assert.deepEqual(running.hub.gateway.connectedIds(), ["silent"]);
      assert.deepEqual(await device.closed(2_000), { code: 4410, reason: "TH_HEARTBEAT_TIMEOUT" });
      await eventually(() => running.hub.gateway.connectedIds().length === 0, "the hub forgot the dead peer");
      const metrics = await running.hub.metrics.registry.getSingleMetricAsString("telehub_rejected_total");
      assert.match(metrics, /code="TH_HEARTBEAT_TIMEOUT"} 1/);
    } finally {
      await running.dispose();
    }
  });

  test("a peer that answers pings stays connected across many heartbeat intervals", async () => {
    const running = await startHub({ gateway: { heartbeatIntervalMs: 150 } });
    try {
      const token = await running.provision("alive");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "alive", token });
      assert.ok(!isRefusal(device));
      await device.hello();
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(device.closeCode, undefined);
      assert.ok((running.hub.gateway.presence("alive")?.lastSeenAt ?? 0) > Date.now() - 500, "heartbeats keep last-seen fresh");
      device.close();
    } finally {
      await running.dispose();
    }
  });

  test("a device exchanging frames both ways within the interval is not pinged; a quiet one is pinged every interval", async () => {
    const running = await startHub({ gateway: { heartbeatIntervalMs: 400 } });
    try {
      const busy = await RawDevice.connect(running.wsUrl, { deviceId: "busy", token: await running.provision("busy") });
      const quiet = await RawDevice.connect(running.wsUrl, { deviceId: "quiet", token: await running.provision("quiet") });
      assert.ok(!isRefusal(busy) && !isRefusal(quiet));
      await busy.hello();
      await quiet.hello();
      const pings = { busy: 0, quiet: 0 };
      busy.ws.on("ping", () => pings.busy++);
      quiet.ws.on("ping", () => pings.quiet++);
      for (let seq = 1; seq <= 24; seq++) {
        busy.send({ t: "batch", seq, r: [{ ts: Date.now(), m: { n: seq } }] });
        await busy.ackFor(seq);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(pings.busy, 0, "acks and batches prove both ends alive");
      assert.ok(pings.quiet >= 2, `a quiet device is pinged every 400 ms: ${pings.quiet} pings in at least 1.2 s`);
      assert.equal(quiet.closeCode, undefined, "it answered each ping and stays");
      await new Promise((r) => setTimeout(r, 1_000));
      assert.ok(pings.busy >= 1, "once the busy device goes quiet, it is pinged too");
      assert.equal(busy.closeCode, undefined);
      busy.close();
      quiet.close();
    } finally {
      await running.dispose();
    }
  });

  test("the same device connecting twice: the newest connection wins, the older is closed with 4409 TH_SESSION_REPLACED", async () => {
    const running = await startHub();
    try {
      const token = await running.provision("twin");
      const first = await RawDevice.connect(running.wsUrl, { deviceId: "twin", token });
      assert.ok(!isRefusal(first));
      await first.hello();
      const second = await RawDevice.connect(running.wsUrl, { deviceId: "twin", token });
      assert.ok(!isRefusal(second));
      assert.deepEqual(await first.closed(), { code: 4409, reason: "TH_SESSION_REPLACED" });
      await second.hello();
      second.send({ t: "batch", seq: 1, r: [{ ts: 1, m: { a: 1 } }] });
      await second.ackFor(1);
      assert.deepEqual(running.hub.gateway.connectedIds(), ["twin"]);
      second.close();
    } finally {
      await running.dispose();
    }
  });

  test("disconnecting a device (revoke) closes it with 4403 TH_DEVICE_REVOKED", async () => {
    const running = await startHub();
    try {
      const token = await running.provision("kicked");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "kicked", token });
      assert.ok(!isRefusal(device));
      await device.hello();
      assert.equal(running.hub.gateway.disconnect("kicked", "TH_DEVICE_REVOKED"), true);
      assert.deepEqual(await device.closed(), { code: 4403, reason: "TH_DEVICE_REVOKED" });
    } finally {
      await running.dispose();
    }
  });

  test("shutdown closes sessions with 1001 after their pending batches are acknowledged", async () => {
    const running = await startHub();
    const token = await running.provision("stayer");
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "stayer", token });
    assert.ok(!isRefusal(device));
    await device.hello();
    for (let seq = 1; seq <= 5; seq++) device.send({ t: "batch", seq, r: [{ ts: seq, m: { a: seq } }] });
    await new Promise((r) => setTimeout(r, 20));
    await running.dispose();
    const { code, reason } = await device.closed();
    assert.deepEqual([code, reason], [1001, "TH_HUB_STOPPING"]);
    const acked = Math.max(...device.frames.filter((f) => f.t === "ack").map((f) => f.seq as number));
    assert.equal(acked, 5);
  });
});
