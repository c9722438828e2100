import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { DisconnectedEvent, TelehubClientError } from "../src/node/index.js";
import { ScriptedHub } from "./support/scripted-hub.js";
import { ignoreRejection, testClient } from "./support/test-client.js";
import { nextEvent, waitFor } from "./support/wait.js";

describe("TelehubClient: connecting", () => {
  test("the upgrade carries Basic credentials and the subprotocol; hello carries the device's fields", async (t) => {
    const hub = await ScriptedHub.start({ clockAheadMs: 5_000 });
    t.after(() => hub.close());
    const client = testClient(t, hub, { firmware: "1.2.3", model: "rpi4", attributes: { ip: "10.0.0.7", mem: 512 } });
    const before = Date.now();
    const connected = nextEvent<{ lastSeq: number; heartbeatMs: number; clockOffsetMs: number }>(client, "connected");
    await client.connect();
    assert.equal(client.connected, true);
    const upgrade = hub.upgrades[0]!;
    assert.equal(upgrade.url, "/v1/device");
    assert.equal(upgrade.headers.authorization, `Basic ${Buffer.from("dev-1:s3cret:token").toString("base64")}`);
    assert.equal(upgrade.headers["sec-websocket-protocol"], "telehub.v1");
    const hello = hub.sessions[0]!.hello!;
    assert.equal(hello.v, 1);
    assert.equal(hello.fw, "1.2.3");
    assert.equal(hello.model, "rpi4");
    assert.deepEqual(hello.caps, ["batch"]);
    assert.deepEqual(hello.attrs, { ip: "10.0.0.7", mem: 512 });
    assert.ok(hello.time! >= before && hello.time! <= Date.now());
    const info = await connected;
    assert.equal(info.lastSeq, 0);
    assert.equal(info.heartbeatMs, 60_000);
    assert.ok(Math.abs(client.clockOffsetMs - 5_000) < 100, `offset ${client.clockOffsetMs}`);
  });

  test("an offset under clockCorrectionThresholdMs is measured but not applied: timestamps stay as the device gave them", async (t) => {
    const hub = await ScriptedHub.start({ clockAheadMs: 300 });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    const connected = nextEvent<{ clockOffsetMs: number; measuredClockOffsetMs: number }>(client, "connected");
    await client.connect();
    const info = await connected;
    assert.ok(Math.abs(info.measuredClockOffsetMs - 300) < 100, `measured ${info.measuredClockOffsetMs}`);
    assert.equal(info.clockOffsetMs, 0);
    assert.equal(client.clockOffsetMs, 0);
    client.send({ n: 1 }, 1_700_000_000_123);
    const session = hub.sessions[0]!;
    await session.waitForBatches(1);
    assert.equal(session.batches[0]!.r[0]!.ts, 1_700_000_000_123);
  });

  test("query credentials, for clients that cannot set headers; http:// base URLs work", async (t) => {
    const hub = await ScriptedHub.start();
    t.after(() => hub.close());
    const client = testClient(t, hub, { url: hub.url.replace("ws:", "http:"), credentials: "query" });
    await client.connect();
    const upgrade = hub.upgrades[0]!;
    const url = new URL(upgrade.url, "http://x");
    assert.equal(url.pathname, "/v1/device");
    assert.equal(url.searchParams.get("device"), "dev-1");
    assert.equal(url.searchParams.get("token"), "s3cret:token");
    assert.equal(upgrade.headers.authorization, undefined);
  });

  for (const [status, code] of [
    [401, "TH_AUTH_INVALID"],
    [401, "TH_AUTH_MISSING"],
    [403, "TH_AUTH_REVOKED"],
    [400, "TH_SUBPROTOCOL_REQUIRED"],
  ] as const) {
    test(`a ${status} ${code} refusal is fatal: connect() rejects, no retry, error emitted`, async (t) => {
      const hub = await ScriptedHub.start({ refuse: () => ({ status, code }) });
      t.after(() => hub.close());
      const client = testClient(t, hub);
      const errors: TelehubClientError[] = [];
      client.on("error", (error) => errors.push(error));
      const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
      await assert.rejects(client.connect(), (error: TelehubClientError) => error.code === code && error.httpStatus === status);
      const event = await disconnected;
      assert.equal(event.willReconnect, false);
      assert.equal(event.errorCode, code);
      assert.equal(event.httpStatus, status);
      assert.equal(errors[0]?.code, code);
      await sleep(150);
      assert.equal(hub.upgrades.length, 1, "no second attempt");
    });
  }

  test("a 503 refusal is retried after max(backoff, Retry-After)", async (t) => {
    const hub = await ScriptedHub.start({ refuse: (n) => (n === 0 ? { status: 503, code: "TH_HUB_BUSY", retryAfterS: 1 } : undefined) });
    t.after(() => hub.close());
    const client = testClient(t, hub);
    const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
    const started = Date.now();
    await client.connect();
    const event = await disconnected;
    assert.equal(event.errorCode, "TH_HUB_BUSY");
    assert.equal(event.willReconnect, true);
    assert.equal(event.delayMs, 1_000);
    assert.ok(Date.now() - started >= 950);
    assert.equal(hub.upgrades.length, 2);
  });

  for (const [closeCode, code] of [
    [4403, "TH_DEVICE_REVOKED"],
    [4404, "TH_DEVICE_DELETED"],
    [4409, "TH_SESSION_REPLACED"],
    [4426, "TH_VERSION_UNSUPPORTED"],
  ] as const) {
    test(`close ${closeCode} ${code} stops the client`, async (t) => {
      const hub = await ScriptedHub.start();
      t.after(() => hub.close());
      const client = testClient(t, hub);
      client.on("error", () => undefined);
      await client.connect();
      const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
      hub.sessions[0]!.close(closeCode, code);
      const event = await disconnected;
      assert.deepEqual([event.code, event.errorCode, event.willReconnect], [closeCode, code, false]);
      await sleep(150);
      assert.equal(hub.sessions.length, 1, "no reconnection");
      assert.equal(client.connected, false);
    });
  }

  test("retryable closes (1011, 1001, a drop) reconnect", async (t) => {
    const hub = await ScriptedHub.start();
    t.after(() => hub.close());
    const client = testClient(t, hub);
    await client.connect();
    hub.sessions[0]!.close(1011, "TH_INTERNAL");
    await hub.greeted(1);
    await waitFor(() => client.connected);
    hub.sessions[1]!.close(1001, "TH_HUB_STOPPING");
    await hub.greeted(2);
    hub.sessions[2]!.ws.terminate();
    await hub.greeted(3);
    assert.equal(client.stats.reconnects, 3);
  });

  test("connect timeout: no welcome in time → drop and retry", async (t) => {
    const hub = await ScriptedHub.start({ autoWelcome: false });
    t.after(() => hub.close());
    const client = testClient(t, hub, { connectTimeoutMs: 100 });
    ignoreRejection(client.connect());
    const event = await nextEvent<DisconnectedEvent>(client, "disconnected");
    assert.match(event.reason, /connect timeout/);
    assert.equal(event.willReconnect, true);
    const second = await hub.greeted(1);
    second.welcome();
    await waitFor(() => client.connected);
  });
});
