import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_LIMITS, PROTOCOL_VERSION } from "@telehub/device-client/protocol";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice, type Refusal } from "./support/raw-device.js";

describe("device handshake and authentication", () => {
  let running: RunningHub;
  let token: string;

  before(async () => {
    running = await startHub();
    token = await running.provision("dev-1");
  });
  after(() => running.dispose());

  async function refusal(credentials: { deviceId: string; token: string } | undefined, options = {}): Promise<Refusal> {
    const result = await RawDevice.connect(running.wsUrl, credentials, options);
    if (!isRefusal(result)) {
      result.close();
      assert.fail("the upgrade was accepted");
    }
    return result;
  }

  test("hello is answered with welcome: hub time, echo, last sequence, heartbeat and limits", async () => {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "dev-1", token });
    assert.ok(!isRefusal(device));
    assert.equal(device.ws.protocol, "telehub.v1");
    const sentAt = Date.now();
    const welcome = await device.hello({ time: sentAt, attrs: { ip: "10.0.0.7", heap: 1234 } });
    assert.equal(welcome.v, PROTOCOL_VERSION);
    assert.equal(welcome.echo, sentAt);
    assert.equal(welcome.seq, 0);
    assert.ok(Math.abs((welcome.time as number) - Date.now()) < 5_000);
    assert.equal(welcome.hb, running.hub.config.gateway.heartbeatIntervalMs);
    assert.deepEqual(welcome.lim, {
      frame: DEFAULT_LIMITS.maxFrameBytes,
      batch: DEFAULT_LIMITS.maxReadingsPerBatch,
      metrics: DEFAULT_LIMITS.maxMetricsPerReading,
      name: DEFAULT_LIMITS.maxNameLength,
      str: DEFAULT_LIMITS.maxStringLength,
      inflight: DEFAULT_LIMITS.maxBatchesInFlight,
      rate: DEFAULT_LIMITS.maxFramesPerSecond,
      burst: DEFAULT_LIMITS.frameBurst,
      bps: DEFAULT_LIMITS.maxBytesPerSecond,
      depth: DEFAULT_LIMITS.maxNestingDepth,
    });
    const record = await running.hub.devices.get("dev-1");
    assert.equal(record?.firmware, "test-1.0");
    assert.deepEqual(record?.attributes, { ip: "10.0.0.7", heap: 1234 });
    assert.deepEqual(running.hub.gateway.connectedIds(), ["dev-1"]);
    device.close();
  });

  test("credentials in the query are accepted for clients that cannot set headers", async () => {
    const device = await RawDevice.connect(running.wsUrl, undefined, { query: `?device=dev-1&token=${encodeURIComponent(token)}` });
    assert.ok(!isRefusal(device));
    await device.hello();
    device.close();
  });

  test("no credentials: 401 TH_AUTH_MISSING", async () => {
    const r = await refusal(undefined);
    assert.deepEqual([r.status, r.code], [401, "TH_AUTH_MISSING"]);
  });

  test("unknown device: 401 TH_AUTH_INVALID", async () => {
    const r = await refusal({ deviceId: "nobody", token });
    assert.deepEqual([r.status, r.code], [401, "TH_AUTH_INVALID"]);
  });

  test("wrong token: 401 TH_AUTH_INVALID, the same answer as an unknown device", async () => {
    const r = await refusal({ deviceId: "dev-1", token: `${token}x` });
    assert.deepEqual([r.status, r.code], [401, "TH_AUTH_INVALID"]);
  });

  test("revoked device: 403 TH_AUTH_REVOKED", async () => {
    const revokedToken = await running.provision("dev-revoked");
    await running.hub.devices.revoke("dev-revoked", Date.now());
    const r = await refusal({ deviceId: "dev-revoked", token: revokedToken });
    assert.deepEqual([r.status, r.code], [403, "TH_AUTH_REVOKED"]);
  });

  test("no telehub.v1 subprotocol: 400 TH_SUBPROTOCOL_REQUIRED", async () => {
    const r = await refusal({ deviceId: "dev-1", token }, { protocol: null });
    assert.deepEqual([r.status, r.code], [400, "TH_SUBPROTOCOL_REQUIRED"]);
  });

  test("an unsupported protocol version closes with 4426 TH_VERSION_UNSUPPORTED", async () => {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "dev-1", token });
    assert.ok(!isRefusal(device));
    device.send({ t: "hello", v: 99 });
    assert.deepEqual(await device.closed(), { code: 4426, reason: "TH_VERSION_UNSUPPORTED" });
  });

  test("a batch before hello closes with 4422 TH_PROTOCOL_VIOLATION", async () => {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "dev-1", token });
    assert.ok(!isRefusal(device));
    device.send({ t: "batch", seq: 1, r: [{ m: { x: 1 } }] });
    assert.deepEqual(await device.closed(), { code: 4422, reason: "TH_PROTOCOL_VIOLATION" });
  });

  test("a second hello closes with 4422 TH_PROTOCOL_VIOLATION", async () => {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "dev-1", token });
    assert.ok(!isRefusal(device));
    await device.hello();
    device.send({ t: "hello", v: 1 });
    assert.deepEqual(await device.closed(), { code: 4422, reason: "TH_PROTOCOL_VIOLATION" });
  });
});

describe("handshake timing and admission control", () => {
  test("no hello within the hello timeout closes with 4408 TH_HELLO_TIMEOUT", async () => {
    const running = await startHub({ gateway: { helloTimeoutMs: 200 } });
    try {
      const token = await running.provision("slow");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "slow", token });
      assert.ok(!isRefusal(device));
      assert.deepEqual(await device.closed(), { code: 4408, reason: "TH_HELLO_TIMEOUT" });
    } finally {
      await running.dispose();
    }
  });

  test("handshakes beyond maxConcurrentHandshakes get 503 TH_HUB_BUSY with Retry-After, and are admitted once the others finish", async () => {
    const running = await startHub({ gateway: { maxConcurrentHandshakes: 2 } });
    try {
      const tokens = await Promise.all(["a", "b", "c"].map((id) => running.provision(id)));
      const first = await RawDevice.connect(running.wsUrl, { deviceId: "a", token: tokens[0] as string });
      const second = await RawDevice.connect(running.wsUrl, { deviceId: "b", token: tokens[1] as string });
      assert.ok(!isRefusal(first) && !isRefusal(second));
      const third = await RawDevice.connect(running.wsUrl, { deviceId: "c", token: tokens[2] as string });
      assert.ok(isRefusal(third));
      assert.deepEqual([third.status, third.code, third.retryAfter], [503, "TH_HUB_BUSY", "1"]);
      await first.hello();
      const retried = await RawDevice.connect(running.wsUrl, { deviceId: "c", token: tokens[2] as string });
      assert.ok(!isRefusal(retried));
      await retried.hello();
      for (const d of [first, second, retried]) d.close();
    } finally {
      await running.dispose();
    }
  });

  test("connections beyond maxConnectionsPerAddress from one address get 503 TH_ADDRESS_FULL; a freed slot is usable again", async () => {
    const running = await startHub({ gateway: { maxConnectionsPerAddress: 2 } });
    try {
      const ids = ["p1", "p2", "p3"];
      const tokens = await Promise.all(ids.map((id) => running.provision(id)));
      const open: RawDevice[] = [];
      for (let i = 0; i < 2; i++) {
        const d = await RawDevice.connect(running.wsUrl, { deviceId: ids[i] as string, token: tokens[i] as string });
        assert.ok(!isRefusal(d));
        await d.hello();
        open.push(d);
      }
      const third = await RawDevice.connect(running.wsUrl, { deviceId: "p3", token: tokens[2] as string });
      assert.ok(isRefusal(third));
      assert.deepEqual([third.status, third.code], [503, "TH_ADDRESS_FULL"]);
      const again = await RawDevice.connect(running.wsUrl, { deviceId: "p1", token: tokens[0] as string });
      assert.ok(!isRefusal(again), "a device connected from this address replaces its own session");
      assert.deepEqual(await open[0]?.closed(), { code: 4409, reason: "TH_SESSION_REPLACED" });
      open[0] = again;
      open[0]?.close();
      await eventually(() => running.hub.gateway.connectedIds().length === 1, "the slot is free");
      const retried = await RawDevice.connect(running.wsUrl, { deviceId: "p3", token: tokens[2] as string });
      assert.ok(!isRefusal(retried));
      retried.close();
      open[1]?.close();
    } finally {
      await running.dispose();
    }
  });

  test("connections beyond maxDevices get 503 TH_HUB_FULL; a connected device reconnecting is admitted (the newest wins)", async () => {
    const running = await startHub({ gateway: { maxDevices: 1 } });
    try {
      const [t1, t2] = await Promise.all([running.provision("one"), running.provision("two")]);
      const one = await RawDevice.connect(running.wsUrl, { deviceId: "one", token: t1 });
      assert.ok(!isRefusal(one));
      await one.hello();
      const two = await RawDevice.connect(running.wsUrl, { deviceId: "two", token: t2 });
      assert.ok(isRefusal(two));
      assert.deepEqual([two.status, two.code], [503, "TH_HUB_FULL"]);
      const again = await RawDevice.connect(running.wsUrl, { deviceId: "one", token: t1 });
      assert.ok(!isRefusal(again), "the same device replaces its own session");
      assert.deepEqual(await one.closed(), { code: 4409, reason: "TH_SESSION_REPLACED" });
      await again.hello();
      assert.deepEqual(running.hub.gateway.connectedIds(), ["one"]);
      again.close();
    } finally {
      await running.dispose();
    }
  });
});
