import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { gate } from "./support/gated-store.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

async function connected(running: RunningHub, deviceId: string, token: string): Promise<RawDevice> {
  const device = await RawDevice.connect(running.wsUrl, { deviceId, token });
  if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
  await device.hello();
  return device;
}

describe("telemetry through the gateway", () => {
  let running: RunningHub;
  let token: string;

  before(async () => {
    running = await startHub();
    token = await running.provision("t-1");
  });
  after(() => running.dispose());

  test("a batch is stored with numbers, booleans and strings keeping their types, then acknowledged", async () => {
    const device = await connected(running, "t-1", token);
    const ts = Date.now() - 1_000;
    device.send({
      t: "batch",
      seq: 1,
      r: [
        { ts, m: { temp: 21.5, count: 7, on: true, off: false, mode: "eco" } },
        { ts: ts + 100.75, m: { temp: -3.25 } },
      ],
    });
    assert.deepEqual(await device.next("ack"), { t: "ack", seq: 1 });
    const latest = await running.hub.telemetry.latest("t-1");
    const byMetric = Object.fromEntries(latest.map((v) => [v.metric, v]));
    assert.equal(byMetric.temp?.value, -3.25);
    assert.equal(byMetric.temp?.ts, ts + 100, "fractional milliseconds are truncated");
    assert.equal(byMetric.count?.value, 7);
    assert.equal(byMetric.on?.value, true);
    assert.equal(byMetric.off?.value, false);
    assert.equal(byMetric.mode?.value, "eco");
    assert.equal(await running.hub.telemetry.countValues("t-1"), 6);
    const metrics = await running.hub.metrics.registry.metrics();
    assert.match(metrics, /^telehub_readings_stored_total 2$/m);
    assert.match(metrics, /^telehub_frames_received_total\{type="batch"\} 1$/m);
    assert.match(metrics, /^telehub_connected_devices 1$/m);
    assert.match(metrics, /^telehub_ack_latency_seconds_count 1$/m);
    device.close();
  });

  test("a reading without a timestamp gets the hub's receive time", async () => {
    const device = await connected(running, "t-1", token);
    const before = Date.now();
    device.send({ t: "batch", seq: 2, r: [{ m: { clockless: 1 } }] });
    await device.ackFor(2);
    const value = (await running.hub.telemetry.latest("t-1")).find((v) => v.metric === "clockless");
    assert.ok(value && value.ts >= before && value.ts <= Date.now());
    device.close();
  });

  test("a resent batch is acknowledged again and stored once, also across connections", async () => {
    const device = await connected(running, "t-1", token);
    const batch = {
      t: "batch",
      seq: 3,
      r: [
        { ts: 1_000_000, m: { resend: 1 } },
        { ts: 1_000_001, m: { resend: 2 } },
      ],
    };
    device.send(batch);
    await device.ackFor(3);
    device.send(batch);
    await device.ackFor(3);
    device.close();
    const again = await connected(running, "t-1", token);
    again.send(batch);
    await again.ackFor(3);
    const raw = await running.hub.telemetry.raw({ deviceId: "t-1", metric: "resend", from: 0, to: 2_000_000, limit: 100 });
    assert.deepEqual(
      raw.map((p) => p.value),
      [1, 2],
    );
    again.close();
  });

  test("welcome.seq tells a reconnecting device the last durable sequence", async () => {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "t-1", token });
    assert.ok(!isRefusal(device));
    const welcome = await device.hello();
    assert.equal(welcome.seq, 3);
    device.close();
  });

  test("an invalid batch is refused with TH_BATCH_INVALID and its seq; the connection stays usable", async () => {
    const device = await connected(running, "t-1", token);
    device.send({ t: "batch", seq: 4, r: [{ ts: 1, m: { "bad name!": 1 } }] });
    const error = await device.next("error");
    assert.equal(error.code, "TH_BATCH_INVALID");
    assert.equal(error.seq, 4);
    device.send({ t: "batch", seq: 5, r: [{ ts: 2, m: { fine: 1 } }] });
    await device.ackFor(5);
    device.close();
  });
});

describe("durability before acknowledgement", () => {
  test("the ack is sent only after the store has committed the batch", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-gated-"));
    const store = gate(new SqliteTelemetryStore(join(dataDir, "telemetry.db")));
    const running = await startHub({}, dataDir, { telemetry: store });
    try {
      const token = await running.provision("g-1");
      const device = await connected(running, "g-1", token);
      device.send({
        t: "batch",
        seq: 1,
        r: [
          { ts: 10, m: { a: 1 } },
          { ts: 11, m: { a: 2 } },
        ],
      });
      for (let i = 0; i < 50 && store.held === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(store.held, 1, "the batch reached the store and is held at the gate");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(device.frames.filter((f) => f.t === "ack").length, 0, "no ack while the commit is pending");
      assert.equal(await store.countValues("g-1"), 0);
      store.open();
      await device.ackFor(1);
      assert.equal(await store.countValues("g-1"), 2, "everything acknowledged is in the store");
      device.close();
    } finally {
      await running.dispose();
    }
  });

  test("deleting a device waits for its batches still committing, so none of its telemetry outlives it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-delete-"));
    const store = gate(new SqliteTelemetryStore(join(dataDir, "telemetry.db")));
    const adminKey = `thk_${"c".repeat(16)}_${"d".repeat(40)}`;
    const running = await startHub({ adminKey }, dataDir, { telemetry: store });
    try {
      const token = await running.provision("doomed");
      const device = await connected(running, "doomed", token);
      device.send({ t: "batch", seq: 1, r: [{ ts: 10, m: { a: 1 } }] });
      for (let i = 0; i < 50 && store.held === 0; i++) await new Promise((r) => setTimeout(r, 10));
      let deleted = false;
      const deletion = fetch(`${running.url}/api/v1/devices/doomed`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${adminKey}` },
      }).then((r) => {
        deleted = true;
        return r.status;
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(deleted, false, "the deletion waits for the pending commit");
      store.open();
      assert.equal(await deletion, 204);
      assert.equal(await store.countValues("doomed"), 0);
      assert.equal(await store.lastSequence("doomed"), 0);
    } finally {
      await running.dispose();
    }
  });

  test("a failed commit is answered with TH_STORE_UNAVAILABLE and no ack; later batches wait until the device resends", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-failing-"));
    const store = gate(new SqliteTelemetryStore(join(dataDir, "telemetry.db")));
    store.open();
    const running = await startHub({}, dataDir, { telemetry: store });
    try {
      const token = await running.provision("f-1");
      const device = await connected(running, "f-1", token);
      store.failing = true;
      device.send({ t: "batch", seq: 1, r: [{ ts: 10, m: { a: 1 } }] });
      const error = await device.next("error");
      assert.deepEqual([error.code, error.seq], ["TH_STORE_UNAVAILABLE", 1]);
      assert.equal(typeof error.retry, "number");
      store.failing = false;
      device.send({ t: "batch", seq: 2, r: [{ ts: 11, m: { a: 2 } }] });
      const refused = await device.next("error");
      assert.deepEqual([refused.code, refused.seq], ["TH_RATE_LIMITED", 2], "a later batch is refused until seq 1 is resent");
      device.send({ t: "batch", seq: 1, r: [{ ts: 10, m: { a: 1 } }] });
      device.send({ t: "batch", seq: 2, r: [{ ts: 11, m: { a: 2 } }] });
      await device.ackFor(2);
      assert.equal(await store.countValues("f-1"), 2);
      assert.equal(
        device.frames.some((f) => f.t === "ack" && f.seq === 0),
        false,
      );
      device.close();
    } finally {
      await running.dispose();
    }
  });
});
