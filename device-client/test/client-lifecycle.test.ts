import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { DisconnectedEvent } from "../src/node/index.js";
import { runExitProbe } from "./support/run-exit-probe.js";
import { ScriptedHub } from "./support/scripted-hub.js";
import { ignoreRejection, testClient } from "./support/test-client.js";
import { nextEvent, waitFor } from "./support/wait.js";

describe("TelehubClient: liveness, backoff, close", () => {
  test("a silent hub (no frame, no ping for 2 × hb + grace) is dropped and the client reconnects", async (t) => {
    const hub = await ScriptedHub.start({ hb: 100 });
    t.after(() => hub.close());
    const client = testClient(t, hub, { heartbeatGraceMs: 50 });
    await client.connect();
    const connectedAt = Date.now();
    const event = await nextEvent<DisconnectedEvent>(client, "disconnected", 2_000);
    const silentFor = Date.now() - connectedAt;
    assert.equal(event.code, 4410);
    assert.equal(event.errorCode, "TH_HEARTBEAT_TIMEOUT");
    assert.equal(event.willReconnect, true);
    assert.ok(silentFor >= 240 && silentFor < 1_000, `dropped after ${silentFor} ms`);
    await hub.greeted(1);
  });

  test("pings keep a quiet connection alive", async (t) => {
    const hub = await ScriptedHub.start({ hb: 100, pingEveryMs: 50 });
    t.after(() => hub.close());
    const client = testClient(t, hub, { heartbeatGraceMs: 50 });
    await client.connect();
    await sleep(600);
    assert.equal(client.connected, true);
    assert.equal(hub.sessions.length, 1);
  });

  test("reconnection delays: full jitter under a cap that doubles, saturates, and resets after a welcome", async (t) => {
    const hub = await ScriptedHub.start({ refuse: (n) => (n < 5 || (n >= 6 && n < 8) ? { status: 503, code: "TH_HUB_FULL" } : undefined) });
    t.after(() => hub.close());
    const draws: number[] = [0.999, 0.999, 0.5, 0.999, 0.25, 0.999, 0.999];
    const client = testClient(t, hub, { backoff: { initialMs: 10, maxMs: 40, multiplier: 2 }, random: () => draws.shift() ?? 0 });
    const delays: number[] = [];
    client.on("disconnected", (event) => delays.push(event.delayMs));
    await client.connect();
    assert.deepEqual(delays, [10, 20, 20, 40, 10]); // caps 10, 20, 40, 40, 40 × the draws
    hub.sessions[0]!.close(1011);
    await waitFor(() => hub.sessions.length === 2 && client.connected);
    assert.deepEqual(delays.slice(5), [10, 20, 0], "the cap starts again at initialMs after a welcome");
    assert.equal(client.stats.reconnects, 8);
  });

  test("close() flushes the open batch and waits for its ack, then closes with 1000", async (t) => {
    const hub = await ScriptedHub.start({
      onBatch: (batch, session) => {
        setTimeout(() => session.ack(batch.seq), 100);
        return "ignore";
      },
    });
    t.after(() => hub.close());
    const client = testClient(t, hub, { batchIntervalMs: 10_000 });
    await client.connect();
    client.send({ n: 1 });
    client.send({ n: 2 });
    await client.close();
    assert.equal(hub.durableSeq, 1);
    assert.equal(client.stats.bufferedReadings, 0);
    assert.deepEqual(await hub.sessions[0]!.closed, { code: 1000, reason: "client closed" });
    assert.throws(() => client.send({ n: 3 }), { code: "TH_CLIENT_CLOSED" });
    await assert.rejects(client.connect(), { code: "TH_CLIENT_CLOSED" });
  });

  test("close() is bounded when the hub never acknowledges, and rejects a pending connect()", async (t) => {
    const hub = await ScriptedHub.start({ autoWelcome: false });
    t.after(() => hub.close());
    const client = testClient(t, hub);
    const connecting = client.connect();
    ignoreRejection(connecting);
    client.send({ n: 1 });
    const started = Date.now();
    await client.close({ timeoutMs: 200 });
    assert.ok(Date.now() - started < 1_500);
    await assert.rejects(connecting, { code: "TH_CLIENT_CLOSED" });
    assert.equal(client.stats.bufferedReadings, 1, "unacknowledged readings stay in the buffer");
  });

  test("flush() rejects on timeout", async (t) => {
    const hub = await ScriptedHub.start({ onBatch: () => "ignore" });
    t.after(() => hub.close());
    const client = testClient(t, hub);
    await client.connect();
    client.send({ n: 1 });
    await assert.rejects(client.flush(100), { code: "TH_CLIENT_FLUSH_TIMEOUT" });
  });

  test("no timers are left after close(): the process exits on its own", async (t) => {
    const hub = await ScriptedHub.start({ hb: 50, pingEveryMs: 25 });
    t.after(() => hub.close());
    const { exitCode, output } = await runExitProbe([hub.url]);
    assert.equal(exitCode, 0, "the probe process should exit by itself after close()");
    assert.equal(output.trim(), "closed buffered=0");
    assert.equal(hub.durableSeq, 1);
  });
});
