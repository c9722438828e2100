import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type DisconnectedEvent,
  TelehubClient,
  type TelehubClientError,
  type TelehubClientOptions,
  type TransportEvent,
} from "../src/node/index.js";
import { webSocketBlocked } from "../src/node/transport-fallback.js";
import { ScriptedHttpHub, type UpgradeAnswer } from "./support/scripted-http-hub.js";
import { ignoreRejection, testClient } from "./support/test-client.js";
import { nextEvent, waitFor } from "./support/wait.js";

function client(t: TestContext, hub: ScriptedHttpHub, options: Partial<TelehubClientOptions> = {}): TelehubClient {
  return testClient(t, hub, { httpWaitMs: 5_000, ...options });
}

async function peer(t: TestContext, answer: (attempt: number) => UpgradeAnswer): Promise<ScriptedHttpHub> {
  const hub = await ScriptedHttpHub.start(answer);
  t.after(() => hub.close());
  return hub;
}

describe("TelehubClient: falling back to HTTP when a WebSocket cannot pass", () => {
  const proxyAnswers: Array<[string, UpgradeAnswer, Partial<TelehubClientOptions>]> = [
    ["a proxy's 400 (no X-Telehub-Error)", { status: 400 }, {}],
    ["a proxy's 403", { status: 403 }, {}],
    ["a proxy's 404", { status: 404 }, {}],
    ["a proxy's 426", { status: 426 }, {}],
    ["a proxy's 502", { status: 502 }, {}],
    ["a reset during the handshake", "reset", {}],
    ["a close during the handshake", "close", {}],
    ["no 101 within connectTimeoutMs", "hang", { connectTimeoutMs: 300 }],
  ];
  for (const [what, answer, options] of proxyAnswers) {
    test(`${what}: the next attempt is HTTP, at once, and readings are acknowledged over it`, async (t) => {
      const hub = await peer(t, () => answer);
      const c = client(t, hub, options);
      const disconnected = nextEvent<DisconnectedEvent>(c, "disconnected", 5_000);
      const switched = nextEvent<TransportEvent>(c, "transport", 5_000);
      await c.connect();
      const event = await disconnected;
      assert.equal(event.transport, "ws");
      assert.equal(event.fallback, true);
      assert.equal(event.willReconnect, true);
      assert.equal(event.delayMs, 0);
      assert.deepEqual(await switched, { transport: "http", previous: undefined });
      assert.equal(c.transport, "http");
      assert.equal(hub.upgrades.length, 1, "one WebSocket attempt");
      for (let i = 0; i < 5; i++) c.send({ n: i });
      await c.flush(5_000);
      assert.equal(c.stats.ackedReadings, 5);
      assert.deepEqual(
        hub.posted("batch").flatMap((b) => (b.r as Array<{ m: { n: number } }>).map((r) => r.m.n)),
        [0, 1, 2, 3, 4],
      );
    });
  }

  test("a refusal carrying X-Telehub-Error is the hub's answer: 401 stops the client, nothing is posted", async (t) => {
    const hub = await peer(t, () => ({ status: 401, telehubCode: "TH_AUTH_INVALID" }));
    const c = client(t, hub);
    await assert.rejects(c.connect(), (error: TelehubClientError) => error.code === "TH_AUTH_INVALID" && error.httpStatus === 401);
    assert.equal(hub.posts.length, 0);
  });

  test("a 503 with X-Telehub-Error is retried over the WebSocket, never over HTTP", async (t) => {
    const hub = await peer(t, () => ({ status: 503, telehubCode: "TH_HUB_FULL", retryAfterS: 0 }));
    const c = client(t, hub);
    const events: DisconnectedEvent[] = [];
    c.on("disconnected", (e) => events.push(e));
    ignoreRejection(c.connect());
    await waitFor(() => hub.upgrades.length >= 3, 3_000, "three upgrade attempts");
    assert.equal(hub.posts.length, 0);
    assert.ok(events.every((e) => e.transport === "ws" && !e.fallback && e.errorCode === "TH_HUB_FULL"));
  });

  test('transports: ["ws"] never falls back: a proxy\'s 502 is retried over the WebSocket', async (t) => {
    const hub = await peer(t, () => ({ status: 502 }));
    const c = client(t, hub, { transports: ["ws"] });
    ignoreRejection(c.connect());
    await waitFor(() => hub.upgrades.length >= 3, 3_000, "three upgrade attempts");
    assert.equal(hub.posts.length, 0);
  });

  test('transports: ["http"] never tries a WebSocket; the hello goes in a POST with the Basic header', async (t) => {
    const hub = await peer(t, () => ({ status: 502 }));
    const c = client(t, hub, { transports: ["http"], firmware: "1.0.0" });
    await c.connect();
    assert.equal(hub.upgrades.length, 0);
    const first = hub.posts[0]!;
    assert.equal(first.frames[0]!.t, "hello");
    assert.equal(first.frames[0]!.fw, "1.0.0");
    assert.equal(first.sid, null);
    assert.equal(first.headers.authorization, `Basic ${Buffer.from("dev-1:s3cret:token").toString("base64")}`);
    assert.equal(first.headers["content-type"], "application/cbor-seq");
    assert.equal(new URL(first.url, "http://x").pathname, "/v1/device");
  });

  test("upgrade back: the background WebSocket's hello replaces the HTTP session; the 409 that answers the held poll before its welcome is not a stop", async (t) => {
    const hub = await peer(t, (attempt) => (attempt === 0 ? { status: 502 } : "accept"));
    hub.welcomeDelayMs = 150;
    const c = client(t, hub, { upgradeRetryMs: 100 });
    const errors: TelehubClientError[] = [];
    c.on("error", (error) => errors.push(error));
    const switches: TransportEvent[] = [];
    c.on("transport", (e) => switches.push(e));
    await c.connect();
    assert.equal(c.transport, "http");
    await waitFor(() => switches.length === 2, 3_000, "the switch to WebSocket");
    assert.deepEqual(switches, [
      { transport: "http", previous: undefined },
      { transport: "ws", previous: "http" },
    ]);
    assert.ok(hub.replacedAnswers >= 1, "the held poll was answered 409 before the welcome");
    assert.deepEqual(errors, []);
    assert.equal(c.transport, "ws");
    c.send({ n: 1 });
    await c.flush(3_000);
    assert.equal(c.stats.ackedReadings, 1);
  });

  test("the rule itself: refused TCP connections and anything after the 101 are not reasons to fall back", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    assert.equal(webSocketBlocked({ code: 1006, reason: "", cause: refused, upgraded: false }), false);
    assert.equal(webSocketBlocked({ code: 1006, reason: "", cause: reset, upgraded: false }), true);
    assert.equal(webSocketBlocked({ code: 1006, reason: "", cause: reset, upgraded: true }), false);
    assert.equal(webSocketBlocked({ code: 1006, reason: "", upgraded: true, timedOut: true }), false);
    assert.equal(webSocketBlocked({ code: 1006, reason: "", upgraded: false, timedOut: true }), true);
    const proxy = { status: 502, fromHub: false, code: undefined, retryAfterMs: undefined };
    assert.equal(webSocketBlocked({ code: 1006, reason: "", refusal: proxy, upgraded: false }), true);
    assert.equal(webSocketBlocked({ code: 1006, reason: "", refusal: { ...proxy, fromHub: true }, upgraded: false }), false);
  });

  test("transports is checked: empty, unknown or repeated entries throw", async () => {
    const base = { url: "ws://127.0.0.1:1", deviceId: "d", token: "t" };
    assert.throws(() => new TelehubClient({ ...base, transports: [] }), RangeError);
    assert.throws(() => new TelehubClient({ ...base, transports: ["mqtt" as "ws"] }), RangeError);
    assert.throws(() => new TelehubClient({ ...base, transports: ["ws", "ws"] }), RangeError);
    assert.throws(() => new TelehubClient({ ...base, upgradeRetryMs: 0 }), RangeError);
    assert.throws(() => new TelehubClient({ ...base, httpWaitMs: -1 }), RangeError);
    await sleep(0);
  });
});
