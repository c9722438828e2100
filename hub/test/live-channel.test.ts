import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { LiveClient } from "./support/live-client.js";

describe("live channel to dashboards", () => {
  let running: RunningHub;
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, live: { flushIntervalMs: 20 } });
  });
  after(async () => {
    for (const close of closers) await close();
    await running.dispose();
  });

  async function device(id: string, maxBatchReadings = 1): Promise<TelehubClient> {
    const token = await running.provision(id);
    const client = new TelehubClient({ url: running.url, deviceId: id, token, maxBatchReadings, batchIntervalMs: 20 });
    closers.push(() => client.close({ flush: false }));
    return client;
  }

  test("a subscriber sees a device come online and its readings once they are durable", async () => {
    const live = await LiveClient.open(running);
    closers.push(() => live.ws.terminate());
    await live.subscribe("telemetry:dash-1", "presence:*");
    const client = await device("dash-1");
    await client.connect();
    client.send({ temperature: 21.5, on: true }, 1_000);
    client.send({ temperature: 22 }, 2_000);
    await eventually(() => live.values("dash-1", "temperature").includes(22), "the newest reading arrived");
    const presence = live.updates.flatMap((u) => u.presence);
    assert.ok(presence.some((p) => p.deviceId === "dash-1" && p.connected));
    assert.ok(live.values("dash-1", "on").includes(true), "types are kept");
    await client.close();
    await eventually(() => live.updates.flatMap((u) => u.presence).some((p) => p.deviceId === "dash-1" && !p.connected), "offline seen");
  });

  test("only subscribed devices are sent; command states arrive in order", async () => {
    const live = await LiveClient.open(running);
    closers.push(() => live.ws.terminate());
    await live.subscribe("telemetry:wanted", "commands:wanted");
    const wanted = await device("wanted");
    const other = await device("other");
    wanted.onCommand("go", () => "went");
    await Promise.all([wanted.connect(), other.connect()]);
    other.send({ x: 1 });
    wanted.send({ x: 2 });
    await eventually(() => live.values("wanted", "x").includes(2), "wanted's reading");
    assert.deepEqual(live.values("other", "x"), []);
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/wanted/commands?wait=5000", { name: "go" });
    assert.equal(sent.body.state, "succeeded");
    await eventually(() => live.updates.flatMap((u) => u.commands).some((c) => c.state === "succeeded"), "the final state arrived");
    const states = live.updates
      .flatMap((u) => u.commands)
      .filter((c) => c.id === sent.body.id)
      .map((c) => c.state);
    assert.deepEqual(states, ["queued", "sent", "delivered", "succeeded"]);
  });

  test("a consumer that stops reading gets the newest values when it resumes, coalesced rather than queued", async () => {
    const live = await LiveClient.open(running);
    closers.push(() => live.ws.terminate());
    await live.subscribe("telemetry:firehose");
    live.ws.pause();
    const client = await device("firehose", 50);
    await client.connect();
    for (let i = 0; i < 3_000; i++) client.send({ a: i, b: i * 2, c: i % 2 === 0 }, 10_000 + i);
    await client.flush(20_000);
    const metrics = await running.hub.metrics.registry.getSingleMetricAsString("telehub_live_coalesced_total");
    const coalesced = Number(/telehub_live_coalesced_total (\d+)/.exec(metrics)?.[1] ?? 0);
    live.ws.resume();
    await eventually(() => live.values("firehose", "a").includes(2_999), "the newest value arrives after the consumer resumes");
    const received = live.updates.reduce((n, u) => n + u.telemetry.length, 0);
    assert.ok(received < 3 * 3_000, `coalesced: received ${received} values for 9,000 written`);
    assert.ok(coalesced > 0, "values were replaced while the consumer was slow");
  });

  test("Server-Sent Events carry the same updates where WebSockets are blocked", async () => {
    const controller = new AbortController();
    closers.push(() => controller.abort());
    const response = await fetch(`${running.url}/api/v1/live?topics=telemetry:sse-1`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const client = await device("sse-1");
    await client.connect();
    client.send({ level: 7 });
    let text = "";
    const deadline = Date.now() + 5_000;
    while (!text.includes('"level"') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    assert.match(text, /event: subscribed/);
    assert.match(text, /event: update\ndata: \{"type":"update","telemetry":\[\{"deviceId":"sse-1","metric":"level","ts":\d+,"value":7\}/);
  });

  test("the live channel needs a valid key: 401 without one, bad topics get an error message", async () => {
    await assert.rejects(LiveClient.open(running, "thk_0000000000000000_nope-nope-nope-nope-nope-nope-nope"), /HTTP 401/);
    const noKey = await fetch(`${running.url}/api/v1/live?topics=presence:*`);
    assert.equal(noKey.status, 401);
    const live = await LiveClient.open(running);
    closers.push(() => live.ws.terminate());
    live.ws.send(JSON.stringify({ type: "subscribe", topics: ["everything"] }));
    await eventually(() => live.messages.some((m) => m.type === "error"), "an error message");
    assert.equal(
      (live.messages.find((m) => m.type === "error") as { type: string; code?: string } | undefined)?.code,
      "TH_LIVE_BAD_MESSAGE",
    );
  });
});
