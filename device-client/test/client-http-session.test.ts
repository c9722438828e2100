import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import type { DisconnectedEvent, TelehubClient, TelehubClientError, TelehubClientOptions } from "../src/node/index.js";
import { runExitProbe } from "./support/run-exit-probe.js";
import { ScriptedHttpHub } from "./support/scripted-http-hub.js";
import { ignoreRejection, testClient } from "./support/test-client.js";
import { nextEvent, waitFor } from "./support/wait.js";

async function httpSession(
  t: TestContext,
  options: Partial<TelehubClientOptions> = {},
): Promise<{ hub: ScriptedHttpHub; client: TelehubClient }> {
  const hub = await ScriptedHttpHub.start();
  t.after(() => hub.close());
  const client = testClient(t, hub, { transports: ["http"], httpWaitMs: 10_000, ...options });
  await client.connect();
  return { hub, client };
}

describe("TelehubClient over the HTTP transport", () => {
  test("one long poll at a time names the session and the wait; a command pushed meanwhile runs once, its ack and result are posted", async (t) => {
    const { hub, client } = await httpSession(t);
    const runs: unknown[] = [];
    client.onCommand("blink", (args) => {
      runs.push(args);
      return { blinked: true };
    });
    await waitFor(() => hub.posts.some((p) => p.wait > 0), 3_000, "a long poll");
    const poll = hub.posts.find((p) => p.wait > 0)!;
    assert.equal(poll.sid, hub.sid);
    assert.equal(poll.wait, 10_000);
    assert.deepEqual(poll.frames, []);
    hub.push({ t: "cmd", id: "c-1", name: "blink", args: { times: 2 } });
    await hub.waitForPosted("cmd_result", 1);
    assert.deepEqual(hub.posted("cmd_ack"), [{ t: "cmd_ack", id: "c-1" }]);
    assert.deepEqual(hub.posted("cmd_result"), [{ t: "cmd_result", id: "c-1", ok: true, res: { blinked: true } }]);
    // Sent again (no cmd_ack seen, say): acknowledged again, not run again, its result resent.
    hub.push({ t: "cmd", id: "c-1", name: "blink", args: { times: 2 } });
    await hub.waitForPosted("cmd_ack", 2);
    assert.deepEqual(runs, [{ times: 2 }]);
    const held = hub.posts.filter((p) => p.wait > 0 && p.frames.length === 0);
    assert.ok(held.every((p) => p.sid === hub.sid));
  });

  test("configuration pushed to a polling device is applied and acknowledged", async (t) => {
    const { hub, client } = await httpSession(t);
    const applied: unknown[] = [];
    client.onConfig((document, version) => {
      applied.push([document, version]);
    });
    await waitFor(() => hub.posts.some((p) => p.wait > 0), 3_000, "a long poll");
    hub.push({ t: "config", v: 3, d: { rate: 5 } });
    await hub.waitForPosted("config_ack", 1);
    assert.deepEqual(applied, [[{ rate: 5 }, 3]]);
    assert.equal(client.configVersion, 3);
  });

  test("404 TH_SESSION_UNKNOWN (a restarted hub): a new hello, then the batches not acknowledged are sent again", async (t) => {
    const { hub, client } = await httpSession(t);
    client.send({ n: 1 });
    await client.flush(3_000);
    hub.forgetSessions();
    hub.durableSeq = 0; // the restarted hub lost nothing durable in this script, but says it holds nothing
    const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
    client.send({ n: 2 });
    const event = await disconnected;
    assert.equal(event.errorCode, "TH_SESSION_UNKNOWN");
    assert.equal(event.httpStatus, 404);
    assert.equal(event.willReconnect, true);
    await client.flush(3_000);
    assert.equal(hub.hellos.length, 2);
    const afterHello = hub.frames.slice(hub.frames.lastIndexOf(hub.hellos[1]!));
    assert.deepEqual(
      afterHello.filter((f) => f.t === "batch").flatMap((b) => (b.r as Array<{ m: unknown }>).map((r) => r.m)),
      [{ n: 2 }],
    );
  });

  test("409 TH_SESSION_REPLACED stops the client as 4409 does", async (t) => {
    const { hub, client } = await httpSession(t);
    const errors: TelehubClientError[] = [];
    client.on("error", (error) => errors.push(error));
    await waitFor(() => hub.posts.some((p) => p.wait > 0), 3_000, "a long poll");
    hub.refusedSids.set(hub.sid!, 409);
    const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
    client.send({ n: 1 });
    const event = await disconnected;
    assert.equal(event.errorCode, "TH_SESSION_REPLACED");
    assert.equal(event.willReconnect, false);
    assert.equal(errors[0]?.code, "TH_SESSION_REPLACED");
    assert.equal(client.connected, false);
  });

  test("an error frame of a code a WebSocket gets by a close ends the session with that close code; the client starts another", async (t) => {
    const { hub, client } = await httpSession(t);
    await waitFor(() => hub.posts.some((p) => p.wait > 0), 3_000, "a long poll");
    const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
    hub.push({ t: "error", code: "TH_HUB_STOPPING", msg: "stopping" });
    const event = await disconnected;
    assert.equal(event.errorCode, "TH_HUB_STOPPING");
    assert.equal(event.willReconnect, true);
    await waitFor(() => hub.hellos.length === 2, 3_000, "a second hello");
  });

  test("a hello answered with an error frame instead of a welcome (TH_VERSION_UNSUPPORTED) stops the client as 4426 does", async (t) => {
    const hub = await ScriptedHttpHub.start();
    t.after(() => hub.close());
    hub.helloAnswer = [{ t: "error", code: "TH_VERSION_UNSUPPORTED", msg: "speak v1" }];
    const client = testClient(t, hub, { transports: ["http"] });
    const disconnected = nextEvent<DisconnectedEvent>(client, "disconnected");
    const connecting = client.connect();
    ignoreRejection(connecting);
    const event = await disconnected;
    assert.deepEqual([event.errorCode, event.code, event.willReconnect], ["TH_VERSION_UNSUPPORTED", 4426, false]);
    await assert.rejects(connecting, (error: TelehubClientError) => error.code === "TH_VERSION_UNSUPPORTED" && error.closeCode === 4426);
    assert.equal(hub.hellos.length, 1, "not retried");
  });

  test("a poll cut mid-wait (the connection dropped) ends the session: a new hello, buffered readings delivered once", async (t) => {
    const { hub, client } = await httpSession(t);
    await waitFor(() => hub.posts.some((p) => p.wait > 0), 3_000, "a long poll");
    hub.cutConnections();
    await waitFor(() => hub.hellos.length === 2, 3_000, "a second hello");
    for (let i = 0; i < 3; i++) client.send({ n: i });
    await client.flush(3_000);
    assert.equal(client.connected, true);
    assert.equal(client.transport, "http");
    assert.deepEqual(
      hub.posted("batch").flatMap((b) => (b.r as Array<{ m: { n: number } }>).map((r) => r.m.n)),
      [0, 1, 2],
    );
  });

  test("no timers or sockets are left after close() over HTTP, with a long poll held: the process exits on its own", async (t) => {
    const hub = await ScriptedHttpHub.start();
    t.after(() => hub.close());
    const { exitCode, output } = await runExitProbe([hub.url, "http"]);
    assert.equal(exitCode, 0, "the probe process should exit by itself after close()");
    assert.equal(output.trim(), "closed buffered=0");
    assert.equal(hub.durableSeq, 1);
    assert.ok(
      hub.posts.some((p) => p.wait > 0),
      "a long poll was held",
    );
  });
});
