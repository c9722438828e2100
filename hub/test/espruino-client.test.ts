import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDevice, type DeviceOptions, type TelehubDevice } from "@telehub/device-client/espruino";
import { createEspruinoNetAdapter, type EspruinoNetAdapter } from "@telehub/device-client/espruino/testing";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

/*
 * The Espruino client (device-client/src/espruino) against the real hub, in Node, through
 * the Espruino `net` adapter (binary strings, E.toString, synchronous connect errors).
 */

type Events = { name: string; a: unknown; b: unknown }[];

/** A clock on time (no offset to correct) that never repeats a ms: the same device, metric and ts are one point in storage. */
function useUniqueClock(adapter: EspruinoNetAdapter): void {
  let last = 0;
  adapter.platform.now = () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}

describe("the Espruino client against the real hub, through the Espruino net adapter", () => {
  let running: RunningHub;
  const devices: TelehubDevice[] = [];

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, gateway: { heartbeatIntervalMs: 100 } as never });
  });
  after(async () => {
    for (const d of devices) d.stop();
    await running.dispose();
  });

  const device = (adapter: EspruinoNetAdapter, options: Partial<DeviceOptions> & { deviceId: string; token: string }) => {
    const events: Events = [];
    useUniqueClock(adapter);
    const d = createDevice(adapter.platform, {
      url: running.wsUrl,
      metrics: ["temp", "rssi", "heap"],
      backoffBaseMs: 20,
      backoffCapMs: 100,
      flushMs: 20,
      model: "esp32",
      fw: "0.1.0",
      onEvent: (name, a, b) => events.push({ name, a, b }),
      ...options,
    });
    devices.push(d);
    return { d, events };
  };

  const stored = async (id: string): Promise<{ ts: number; metric: string; value: unknown }[]> =>
    (await callApi(running.hub, "GET", `/api/v1/devices/${id}/telemetry/raw?from=0&to=${Date.now() + 600_000}&limit=10000`)).body.data;

  test("readings arrive exactly, over binary frames split in 3-byte pieces, with pings answered", async () => {
    const token = await running.provision("esp-1");
    const adapter = createEspruinoNetAdapter({ chunkBytes: 3 });
    const { d, events } = device(adapter, { deviceId: "esp-1", token, batchReadings: 7 });
    d.start();
    await eventually(() => d.connected(), "welcomed");
    for (let i = 0; i < 30; i++) d.add([20 + i / 4, -60 - i, 100000 + i]);
    await eventually(() => d.ring.length === 0, "every reading acknowledged");
    const points = await stored("esp-1");
    assert.equal(points.length, 90);
    assert.deepEqual(
      points
        .filter((p) => p.metric === "temp")
        .map((p) => p.value)
        .slice(0, 3),
      [20, 20.25, 20.5],
    );
    // Several heartbeat intervals: the hub drops a device that does not answer its pings.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(events.filter((e) => e.name === "close").length, 0, JSON.stringify(events));
    assert.equal(adapter.log.nonStringWrites, 0);
    assert.ok(events.some((e) => e.name === "ack"));
    const info = (await callApi(running.hub, "GET", "/api/v1/devices/esp-1")).body;
    assert.equal(info.model ?? info.device?.model, "esp32");
  });

  test("a full buffer while the hub is unreachable (synchronous connect errors) keeps its size, then drains after reconnecting", async () => {
    const token = await running.provision("esp-2");
    let reachable = false;
    const adapter = createEspruinoNetAdapter({ refuse: () => !reachable });
    const { d } = device(adapter, { deviceId: "esp-2", token, bufferReadings: 200, batchReadings: 20 });
    const bytes = d.ring.byteLength;
    d.start();
    for (let i = 0; i < 250; i++) d.add([i, -50, 1000]);
    await eventually(() => adapter.log.syncErrors >= 3, "several connection attempts failed synchronously");
    assert.equal(d.ring.length, 200);
    assert.equal(d.ring.dropped, 50);
    assert.equal(d.ring.byteLength, bytes, "the packed buffer did not grow");
    reachable = true;
    await eventually(() => d.connected() && d.ring.length === 0, "the buffer drained", 10_000);
    assert.equal(d.ring.byteLength, bytes);
    const temps = (await stored("esp-2")).filter((p) => p.metric === "temp").map((p) => p.value as number);
    assert.deepEqual(
      temps.sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i + 50),
    );
  });

  test("a dropped link mid-stream: unacknowledged batches are resent, nothing lost or doubled", async () => {
    const token = await running.provision("esp-3");
    const adapter = createEspruinoNetAdapter();
    const { d, events } = device(adapter, { deviceId: "esp-3", token, batchReadings: 5 });
    d.start();
    await eventually(() => d.connected(), "welcomed");
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) d.add([sent++, 0, 0]);
      const welcomes = events.filter((e) => e.name === "welcome").length;
      adapter.dropAll();
      await eventually(() => events.filter((e) => e.name === "welcome").length > welcomes, "reconnected");
    }
    await eventually(() => d.ring.length === 0, "all acknowledged", 10_000);
    const temps = (await stored("esp-3")).filter((p) => p.metric === "temp");
    assert.equal(temps.length, 200, JSON.stringify([d.ring.dropped, events.filter((e) => e.name !== "ack")]));
    assert.ok(adapter.log.connects >= 6);
  });

  test("commands run at most once with cmd_ack, cmd_result and cmd_done; desired configuration is applied and acknowledged", async () => {
    const token = await running.provision("esp-4");
    const adapter = createEspruinoNetAdapter();
    let runs = 0;
    const applied: unknown[] = [];
    const { d } = device(adapter, {
      deviceId: "esp-4",
      token,
      commands: {
        add: (args) => {
          runs++;
          return { sum: (args.a as number) + (args.b as number) };
        },
        later: (args) => new Promise((resolve) => setTimeout(() => resolve(args.x ?? null), 10)),
        boom: () => {
          throw new Error("sensor missing");
        },
      },
      onConfig: (doc, version) => {
        if (doc.interval === "bad") throw new Error("interval must be a number");
        applied.push([version, doc]);
      },
    });
    d.start();
    await eventually(() => d.connected(), "welcomed");
    const send = async (name: string, args: unknown) =>
      (await callApi(running.hub, "POST", "/api/v1/devices/esp-4/commands", { name, args })).body.id as string;
    const read = async (id: string) => (await callApi(running.hub, "GET", `/api/v1/commands/${id}?wait=5000`)).body;
    const add = await read(await send("add", { a: 2, b: 40 }));
    assert.equal(add.state, "succeeded");
    assert.deepEqual(add.result, { sum: 42 });
    assert.equal(runs, 1);
    assert.deepEqual((await read(await send("later", { x: "done" }))).result, "done");
    const boom = await read(await send("boom", {}));
    assert.equal(boom.state, "failed");
    assert.match(JSON.stringify(boom), /TH_CMD_FAILED/);
    const unknown = await read(await send("nope", {}));
    assert.match(JSON.stringify(unknown), /TH_CMD_UNKNOWN/);

    await callApi(running.hub, "PUT", "/api/v1/devices/esp-4/config", { document: { interval: 30, name: "kitchen" } });
    await eventually(() => applied.length === 1, "the configuration was applied");
    assert.deepEqual(applied[0], [1, { interval: 30, name: "kitchen" }]);
    await eventually(
      async () => (await callApi(running.hub, "GET", "/api/v1/devices/esp-4/config")).body.reported.version === 1,
      "the hub recorded config_ack v1",
    );
    await callApi(running.hub, "PUT", "/api/v1/devices/esp-4/config", { document: { interval: "bad" } });
    await eventually(async () => d.configVersion() === 1 && applied.length === 1, "refused");
  });

  test("rate-limited (§4.3): the client waits `retry`, resends from the refused batch, and everything is stored exactly once", async () => {
    const strict = await startHub({ adminKey: TEST_ADMIN_KEY, limits: { maxFramesPerSecond: 20, frameBurst: 4 } as never });
    const adapter = createEspruinoNetAdapter();
    try {
      const token = await strict.provision("esp-6");
      const events: Events = [];
      useUniqueClock(adapter);
      const d = createDevice(adapter.platform, {
        url: strict.wsUrl,
        deviceId: "esp-6",
        token,
        metrics: ["n"],
        batchReadings: 2,
        maxInflight: 8,
        flushMs: 10,
        backoffBaseMs: 20,
        onEvent: (name, a, b) => events.push({ name, a, b }),
      });
      devices.push(d);
      d.start();
      await eventually(() => d.connected(), "welcomed");
      for (let i = 0; i < 60; i++) d.add([i]);
      await eventually(() => d.ring.length === 0, "all acknowledged", 15_000);
      assert.ok(
        events.some((e) => e.name === "error" && e.a === "TH_RATE_LIMITED"),
        "the hub did refuse some batches",
      );
      const points = (await callApi(strict.hub, "GET", `/api/v1/devices/esp-6/telemetry/raw?from=0&to=${Date.now() + 600_000}`)).body.data;
      assert.deepEqual(
        points.map((p: { value: number }) => p.value).sort((a: number, b: number) => a - b),
        Array.from({ length: 60 }, (_, i) => i),
      );
      d.stop();
    } finally {
      await strict.dispose();
    }
  });

  test("a permanent refusal (seq, no retry: TH_TYPE_CONFLICT) drops just that batch and reports it; text goes out as UTF-8", async () => {
    const token = await running.provision("esp-7");
    // The device's `temp` was text before (an earlier firmware): a number now conflicts with it.
    const raw = await RawDevice.connect(running.wsUrl, { deviceId: "esp-7", token });
    if (isRefusal(raw)) assert.fail(`refused: ${raw.code}`);
    await raw.hello();
    raw.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { temp: "hot" } }] });
    await raw.ackFor(1).catch((e) => assert.fail(`${e} ${JSON.stringify(raw.frames)}`));
    raw.close();
    const adapter = createEspruinoNetAdapter();
    const { d, events } = device(adapter, { deviceId: "esp-7", token, batchReadings: 1, attrs: { room: "Küche ☺" } });
    d.start();
    await eventually(() => d.connected(), "welcomed");
    d.add([21.5, -60, 1000]);
    await eventually(() => events.some((e) => e.name === "rejected"), "the batch rejected");
    d.add([Number.NaN, -61, 1001]);
    await eventually(() => d.ring.length === 0, "the next batch acknowledged");
    assert.deepEqual(
      events.filter((e) => e.name === "rejected"),
      [{ name: "rejected", a: "TH_TYPE_CONFLICT", b: 2 }],
    );
    const points = await stored("esp-7");
    assert.deepEqual(
      points.filter((p) => p.metric === "rssi").map((p) => p.value),
      [-61],
      "the refused batch is never resent; the next one is stored",
    );
    const info = (await callApi(running.hub, "GET", "/api/v1/devices/esp-7")).body;
    assert.equal(info.attributes.room, "Küche ☺", "hello.attrs text arrives as UTF-8");
    d.stop();
  });

  test("wrong credentials stop the client (TH_AUTH_INVALID), no retry loop", async () => {
    await running.provision("esp-5");
    const adapter = createEspruinoNetAdapter();
    const { d, events } = device(adapter, { deviceId: "esp-5", token: "wrong" });
    d.start();
    await eventually(() => events.some((e) => e.name === "stopped"), "stopped");
    assert.deepEqual(
      events.find((e) => e.name === "refused"),
      { name: "refused", a: 401, b: "TH_AUTH_INVALID" },
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(adapter.log.connects, 1);
  });
});
