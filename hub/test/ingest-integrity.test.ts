import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_CONFIG, type HubConfigInput } from "../src/config/hub-config.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { gate } from "./support/gated-store.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { LiveClient } from "./support/live-client.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

type Frame = { t: string } & Record<string, unknown>;

async function connected(running: RunningHub, deviceId: string, token?: string): Promise<RawDevice> {
  const device = await RawDevice.connect(running.wsUrl, { deviceId, token: token ?? (await running.provision(deviceId)) });
  if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
  await device.hello();
  return device;
}

/** Send a batch and wait for its answer: the ack covering it, or the error frame about it. */
async function answer(device: RawDevice, seq: number, r: Record<string, unknown>[]): Promise<Frame> {
  device.send({ t: "batch", seq, r } as Record<string, unknown>);
  return device.answerTo(seq);
}

const values = async (running: RunningHub, deviceId: string): Promise<Record<string, unknown>> =>
  Object.fromEntries((await running.hub.telemetry.latest(deviceId)).map((v) => [v.metric, v.value]));

const points = (running: RunningHub, deviceId: string, metric?: string) =>
  running.hub.telemetry.raw({ deviceId, ...(metric && { metric }), from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10_000 });

function assertRefused(frame: Frame, code: string, seq: number, message?: RegExp): void {
  assert.equal(frame.t, "error", `expected ${code}, got ${JSON.stringify(frame)}`);
  assert.equal(frame.code, code);
  assert.equal(frame.seq, seq);
  assert.equal(frame.retry, undefined, "a permanent refusal has no retry");
  if (message) assert.match(frame.msg as string, message);
}

for (const worker of [false, true]) {
  describe(`metric types per device (${worker ? "store on a worker thread" : "embedded store"})`, () => {
    let running: RunningHub;
    const overrides: HubConfigInput = { storage: { worker }, adminKey: TEST_ADMIN_KEY };

    before(async () => {
      running = await startHub(overrides);
    });
    after(() => running.dispose());

    test("a value of another type than the device's first is refused TH_TYPE_CONFLICT with its seq: nothing of the batch stored or published, later batches fine", async () => {
      const live = await LiveClient.open(running);
      await live.subscribe("telemetry:*");
      const a = await connected(running, "type-a");
      assert.equal((await answer(a, 1, [{ ts: 1_000, m: { temperature: 21.5 } }])).t, "ack");
      const refused = await answer(a, 2, [
        { ts: 2_000, m: { humidity: 40 } },
        { ts: 2_001, m: { temperature: "x", humidity: 41 } },
      ]);
      assertRefused(refused, "TH_TYPE_CONFLICT", 2, /^reading 1: metric "temperature" holds number values; this batch sent a string$/);
      assert.equal((await answer(a, 3, [{ ts: 3_000, m: { temperature: 22, after: true } }])).t, "ack");
      assert.deepEqual(await values(running, "type-a"), { temperature: 22, after: true });
      assert.equal((await points(running, "type-a", "humidity")).length, 0, "nothing of the refused batch stored");
      await eventually(() => live.values("type-a", "after").length === 1, "the later batch went out live");
      assert.deepEqual(live.values("type-a", "humidity"), [], "nothing of the refused batch went out live");
      assert.deepEqual(live.values("type-a", "temperature"), [21.5, 22]);
      live.ws.close();
      a.close();
    });

    test("one device can never make another's readings unstorable: a string temperature first is that device's own", async () => {
      const attacker = await connected(running, "poisoner");
      const victim = await connected(running, "victim");
      assert.equal((await answer(attacker, 1, [{ ts: Date.now() + 3_600_000, m: { temperature: "x", humidity: true } }])).t, "ack");
      for (let seq = 1; seq <= 20; seq++) {
        assert.equal((await answer(victim, seq, [{ ts: 10_000 + seq, m: { temperature: 21.5 + seq, humidity: 40 } }])).t, "ack");
      }
      assert.equal((await points(running, "victim")).length, 40, "every value of the victim stored");
      assert.deepEqual(await values(running, "victim"), { temperature: 41.5, humidity: 40 });
      assert.deepEqual(await values(running, "poisoner"), { temperature: "x", humidity: true });
      assertRefused(
        await answer(attacker, 2, [{ ts: 20_000, m: { temperature: 5 } }]),
        "TH_TYPE_CONFLICT",
        2,
        /holds string values; this batch sent a number/,
      );
      attacker.close();
      victim.close();
    });

    test("the types survive a restart: the catalogue is loaded from the store", async () => {
      const { dataDir } = running;
      await running.stop();
      running = await startHub(overrides, dataDir);
      const token = await running.provision("type-c");
      const c = await connected(running, "type-c", token);
      assert.equal((await answer(c, 1, [{ ts: 1_000, m: { level: 1 } }])).t, "ack");
      c.close();
      await running.stop();
      running = await startHub(overrides, dataDir);
      const c2 = await connected(running, "type-c", token);
      assertRefused(await answer(c2, 2, [{ ts: 2_000, m: { level: "full" } }]), "TH_TYPE_CONFLICT", 2);
      assert.equal((await answer(c2, 3, [{ ts: 3_000, m: { level: 2 } }])).t, "ack");
      c2.close();
    });

    test("deleting a device forgets its metric types: a device created again under its id starts afresh", async () => {
      const d = await connected(running, "type-d");
      assert.equal((await answer(d, 1, [{ ts: 1_000, m: { mode: 1 } }])).t, "ack");
      assert.equal((await callApi(running.hub, "DELETE", "/api/v1/devices/type-d")).status, 204);
      await d.closed();
      const again = await connected(running, "type-d");
      assert.equal((await answer(again, 1, [{ ts: 1_000, m: { mode: "eco" } }])).t, "ack");
      assert.deepEqual(await values(running, "type-d"), { mode: "eco" });
      again.close();
    });
  });
}

describe("ingest rules on the embedded store", () => {
  let running: RunningHub;

  before(async () => {
    running = await startHub();
  });
  after(() => running.dispose());

  test("a clockless batch of three readings: three stored, 1 ms apart in order, at the hub's receive time", async () => {
    const device = await connected(running, "clockless");
    const before = Date.now();
    assert.equal((await answer(device, 1, [{ m: { x: 1 } }, { m: { x: 2 } }, { m: { x: 3 } }])).t, "ack");
    const stored = await points(running, "clockless", "x");
    assert.deepEqual(
      stored.map((p) => p.value),
      [1, 2, 3],
    );
    const first = stored[0]?.ts as number;
    assert.ok(first >= before && first <= Date.now(), "the hub's receive time");
    assert.deepEqual(
      stored.map((p) => p.ts - first),
      [0, 1, 2],
    );
    device.close();
  });

  test("clockless readings never overwrite earlier ones: batches in one millisecond, and across a reconnect", async () => {
    // A frozen hub clock: every batch arrives in the same millisecond.
    const frozen = await startHub({}, undefined, { now: () => 1_800_000_000_000 });
    try {
      const token = await frozen.provision("clockless-2");
      let device = await connected(frozen, "clockless-2", token);
      for (let seq = 1; seq <= 5; seq++) device.send({ t: "batch", seq, r: [{ m: { n: seq } }, { m: { n: seq + 0.5 } }] });
      await device.ackFor(5);
      device.close();
      device = await connected(frozen, "clockless-2", token);
      assert.equal((await answer(device, 6, [{ m: { n: 6 } }])).t, "ack");
      device.close();
      const stored = await points(frozen, "clockless-2", "n");
      assert.deepEqual(
        stored.map((p) => [p.ts - 1_800_000_000_000, p.value]),
        [
          [0, 1],
          [1, 1.5],
          [2, 2],
          [3, 2.5],
          [4, 3],
          [5, 3.5],
          [6, 4],
          [7, 4.5],
          [8, 5],
          [9, 5.5],
          [10, 6],
        ],
      );
    } finally {
      await frozen.dispose();
    }
  });

  test("readings with ts are untouched by the stamps", async () => {
    const device = await connected(running, "mixed");
    assert.equal((await answer(device, 1, [{ ts: 5_000, m: { v: 1 } }, { m: { v: 2 } }, { ts: 6_000.9, m: { v: 3 } }])).t, "ack");
    const stored = await points(running, "mixed", "v");
    assert.deepEqual(
      stored.map((p) => [p.ts < 10_000 ? p.ts : "now", p.value]),
      [
        [5_000, 1],
        [6_000, 3],
        ["now", 2],
      ],
    );
    device.close();
  });

  test("same ts in one batch: one metric with two different values is TH_BATCH_INVALID naming it; same value, or other metrics, merge", async () => {
    const device = await connected(running, "same-ts");
    const refused = await answer(device, 1, [
      { ts: 7_000, m: { a: 1, b: 1 } },
      { ts: 8_000, m: { a: 2 } },
      { ts: 7_000, m: { a: 1, b: 2 } },
    ]);
    assertRefused(refused, "TH_BATCH_INVALID", 1, /^readings 0 and 2: metric "b" has two different values at ts 7000$/);
    assert.equal((await points(running, "same-ts")).length, 0, "nothing of it stored");
    assert.equal(
      (
        await answer(device, 2, [
          { ts: 7_000, m: { a: 1 } },
          { ts: 7_000, m: { a: 1, b: true } },
          { ts: 7_000, m: { c: "s" } },
        ])
      ).t,
      "ack",
    );
    assert.deepEqual(
      (await points(running, "same-ts")).map((p) => [p.ts, p.metric, p.value]),
      [
        [7_000, "a", 1],
        [7_000, "b", true],
        [7_000, "c", "s"],
      ],
    );
    // Across batches a resend overwrites (idempotent): a later batch's value wins.
    assert.equal((await answer(device, 3, [{ ts: 7_000, m: { a: 5 } }])).t, "ack");
    assert.deepEqual(
      (await points(running, "same-ts", "a")).map((p) => p.value),
      [5],
    );
    device.close();
  });

  test("-0.0 is stored and read back as 0", async () => {
    const device = await connected(running, "negative-zero");
    // The Node codec sends -0 as the integer 0: these bytes carry it as a half float (f9 8000).
    // {"t":"batch","seq":1,"r":[{"ts":1000,"m":{"z":-0.0}}]}
    device.sendBytes(Buffer.from("a3617465626174636863736571016172" + "81a26274731903e8616da1617af98000", "hex"));
    await device.ackFor(1);
    const [latest] = await running.hub.telemetry.latest("negative-zero");
    assert.ok(Object.is(latest?.value, 0), `read back ${Object.is(latest?.value, -0) ? "-0" : String(latest?.value)}`);
    device.close();
  });

  test("maxMetricsPerDevice (256): a device reaches 256 names; a batch with a 257th is TH_METRIC_LIMIT; its old names still work", async () => {
    const device = await connected(running, "names");
    const names = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${from + i}`, i]));
    const r = [0, 1, 2, 3].map((k) => ({ ts: 1_000 + k, m: names(k * 64, 64) }));
    assert.equal((await answer(device, 1, r)).t, "ack");
    const refused = await answer(device, 2, [{ ts: 2_000, m: { m0: 1, m256: 1 } }]);
    assertRefused(refused, "TH_METRIC_LIMIT", 2, /1 new metric names to the device's 256: over maxMetricsPerDevice \(256\)/);
    assert.equal((await answer(device, 3, [{ ts: 3_000, m: { m0: 2, m255: 2 } }])).t, "ack");
    assert.equal((await running.hub.telemetry.latest("names")).length, 256);
    device.close();
  });
});

describe("ingest limits in configuration", () => {
  const NOW = 1_800_000_000_000;

  test("the default timestamp window: 1 day ahead and 365 days behind the hub's clock are in, 1 ms more is TH_TIMESTAMP_OUT_OF_RANGE", async () => {
    const { maxFutureMs, maxPastMs } = DEFAULT_CONFIG.ingest;
    assert.deepEqual([maxFutureMs, maxPastMs], [86_400_000, 31_536_000_000]);
    const running = await startHub({ ingest: { maxPastMs } }, undefined, { now: () => NOW });
    try {
      const device = await connected(running, "window");
      assert.equal(
        (
          await answer(device, 1, [
            { ts: NOW + maxFutureMs, m: { v: 1 } },
            { ts: NOW - maxPastMs, m: { v: 2 } },
          ])
        ).t,
        "ack",
      );
      assertRefused(
        await answer(device, 2, [
          { ts: NOW, m: { v: 3 } },
          { ts: NOW + maxFutureMs + 1, m: { v: 4 } },
        ]),
        "TH_TIMESTAMP_OUT_OF_RANGE",
        2,
        /^reading 1: ts 1800086400001 is outside the accepted window around the hub's clock 1800000000000: from 1768464000000 \(maxPastMs 31536000000 before\) to 1800086400000 \(maxFutureMs 86400000 after\)$/,
      );
      assertRefused(
        await answer(device, 3, [{ ts: NOW - maxPastMs - 1, m: { v: 5 } }]),
        "TH_TIMESTAMP_OUT_OF_RANGE",
        3,
        /^reading 0: ts 1768463999999/,
      );
      assert.equal((await answer(device, 4, [{ m: { v: 6 } }])).t, "ack", "a clockless reading is always inside");
      assert.deepEqual(
        (await points(running, "window", "v")).map((p) => p.value),
        [2, 6, 1],
      );
      device.close();
    } finally {
      await running.dispose();
    }
  });

  test("maxFutureMs 0 and maxPastMs 0 switch the window off", async () => {
    const running = await startHub({ ingest: { maxFutureMs: 0, maxPastMs: 0 } }, undefined, { now: () => NOW });
    try {
      const device = await connected(running, "no-window");
      assert.equal(
        (
          await answer(device, 1, [
            { ts: 0, m: { v: 1 } },
            { ts: NOW * 2, m: { v: 2 } },
          ])
        ).t,
        "ack",
      );
      device.close();
    } finally {
      await running.dispose();
    }
  });

  test("maxSeries over all devices: reached, then TH_METRIC_LIMIT for any device's new name", async () => {
    const running = await startHub({ ingest: { maxSeries: 3 } });
    try {
      const a = await connected(running, "series-a");
      const b = await connected(running, "series-b");
      assert.equal((await answer(a, 1, [{ ts: 1, m: { x: 1, y: 1 } }])).t, "ack");
      assert.equal((await answer(b, 1, [{ ts: 1, m: { x: 1 } }])).t, "ack");
      assertRefused(await answer(b, 2, [{ ts: 2, m: { y: 1 } }]), "TH_METRIC_LIMIT", 2, /over maxSeries \(3\)/);
      assert.match(await running.hub.metrics.registry.metrics(), /^telehub_metric_series 3$/m);
      assert.equal((await answer(a, 2, [{ ts: 2, m: { x: 2, y: 2 } }])).t, "ack");
      a.close();
      b.close();
    } finally {
      await running.dispose();
    }
  });

  test("a batch's new metrics are claimed at once: the next batch, in flight behind it, cannot give one another type", async () => {
    const store = gate(new SqliteTelemetryStore(":memory:"));
    const running = await startHub({}, undefined, { telemetry: store });
    try {
      const device = await connected(running, "in-flight");
      device.send({ t: "batch", seq: 1, r: [{ ts: 1, m: { fresh: 1 } }] });
      assertRefused(await answer(device, 2, [{ ts: 2, m: { fresh: "text" } }]), "TH_TYPE_CONFLICT", 2);
      assert.equal(store.held, 1, "batch 1 is still waiting for its commit");
      store.open();
      await device.ackFor(1);
      assert.deepEqual(await store.metricTypes(), [{ deviceId: "in-flight", metric: "fresh", type: "number" }]);
      device.close();
    } finally {
      await running.dispose();
    }
  });

  test("a batch whose write failed releases its new metric names: the device's resend may give them another type", async () => {
    const store = gate(new SqliteTelemetryStore(":memory:"));
    store.open();
    const running = await startHub({}, undefined, { telemetry: store });
    try {
      const device = await connected(running, "released");
      store.failing = true;
      assertRefusedRetryable(await answer(device, 1, [{ ts: 1, m: { fresh: 1 } }]));
      store.failing = false;
      assert.equal((await answer(device, 1, [{ ts: 1, m: { fresh: "now text" } }])).t, "ack");
      assert.deepEqual(await store.metricTypes(), [{ deviceId: "released", metric: "fresh", type: "string" }]);
      device.close();
    } finally {
      await running.dispose();
    }
  });
});

/** A retryable refusal of batch 1: not stored, resend after `retry`. */
function assertRefusedRetryable(frame: Frame): void {
  assert.deepEqual(
    [frame.t, frame.code, frame.seq, typeof frame.retry],
    ["error", "TH_STORE_UNAVAILABLE", 1, "number"],
    JSON.stringify(frame),
  );
}
