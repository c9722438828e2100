import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type HoldableStore, holdable } from "./support/holdable-store.js";
import { HttpDevice } from "./support/http-device.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

describe("HTTP transport: newest wins, one poll per session, nothing lost or doubled, expiry", () => {
  let running: RunningHub;
  let store: HoldableStore;
  const sockets: RawDevice[] = [];

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-test-"));
    store = holdable(new SqliteTelemetryStore(join(dataDir, "telemetry.db"), "full"));
    running = await startHub(
      { adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 50 }, gateway: { http: { resendAfterMs: 300, graceMs: 300 } } },
      dataDir,
      { telemetry: store },
    );
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await running.dispose();
  });

  const device = async (id: string): Promise<HttpDevice> =>
    new HttpDevice(running.url, { deviceId: id, token: await running.provision(id) });
  const polls = async (): Promise<number> => Number(/^telehub_http_polls (\d+)$/m.exec(await running.hub.metrics.registry.metrics())?.[1]);
  const command = async (deviceId: string): Promise<string> => {
    const sent = await callApi(running.hub, "POST", `/api/v1/devices/${deviceId}/commands`, { name: "blink", args: {} });
    assert.equal(sent.status, 201);
    return sent.body.id;
  };
  const commandRecord = async (id: string) => (await callApi(running.hub, "GET", `/api/v1/commands/${id}`)).body;
  const socketOf = async (deviceId: string, token: string): Promise<RawDevice> => {
    const socket = await RawDevice.connect(running.wsUrl, { deviceId, token });
    if (isRefusal(socket)) assert.fail(`refused: ${socket.code}`);
    sockets.push(socket);
    await socket.hello();
    return socket;
  };

  test("newest wins across transports: an HTTP hello closes the WebSocket with 4409; a WebSocket (or a newer HTTP session) answers the held poll and the old sid with 409", async () => {
    const d = await device("s-1");
    const socket = await socketOf("s-1", d.credentials.token);
    await d.hello({ ivl: 60_000 });
    assert.deepEqual(await socket.closed(), { code: 4409, reason: "TH_SESSION_REPLACED" });
    assert.equal((await callApi(running.hub, "GET", "/api/v1/devices/s-1")).body.transport, "http");

    const poll = d.post([], { wait: 20_000 });
    await eventually(async () => (await polls()) === 1, "the poll is held");
    await socketOf("s-1", d.credentials.token);
    const answered = await poll;
    assert.deepEqual([answered.status, answered.code], [409, "TH_SESSION_REPLACED"]);
    assert.deepEqual([(await d.post([])).status, (await d.post([])).code], [409, "TH_SESSION_REPLACED"]);
    assert.equal((await callApi(running.hub, "GET", "/api/v1/devices/s-1")).body.transport, "ws");

    const older = await device("s-1b");
    await older.hello({ ivl: 60_000 });
    const newer = new HttpDevice(running.url, older.credentials);
    await newer.hello({ ivl: 60_000 });
    const stale = await older.post([]);
    assert.deepEqual([stale.status, stale.code], [409, "TH_SESSION_REPLACED"]);
    assert.equal((await newer.post([])).status, 200);
  });

  // The first poll would be answered by its own wait (20 s) if the second did not answer it: the timeout makes that a failure.
  test("one held poll per session: a new poll answers the held one at once; a post without wait leaves it held", {
    timeout: 15_000,
  }, async () => {
    const d = await device("s-2");
    await d.hello({ ivl: 60_000 });
    const first = d.post([], { wait: 20_000 });
    await eventually(async () => (await polls()) === 1, "the first poll is held");
    const second = d.post([], { wait: 20_000 });
    const answer = await first;
    assert.deepEqual([answer.status, answer.frames], [200, []]);
    assert.equal(await polls(), 1, "the second poll is held in its place");
    const post = await d.post([{ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { t: 1 } }] }]);
    assert.deepEqual(
      post.frames.map((f) => f.t),
      ["ack"],
      "a post without wait is answered with its own ack",
    );
    assert.equal(await polls(), 1, "and leaves the held poll held");
    const id = await command("s-2");
    assert.deepEqual(
      (await second).frames.map((f) => f.id),
      [id],
    );
  });

  test("a poll cut by the client while held loses nothing and delivers nothing twice", async () => {
    const d = await device("s-3");
    await d.hello({ ivl: 60_000 });
    let cut = (): void => {};
    const poll = d.post([], { wait: 20_000, sent: (c) => (cut = c) }).catch((error: Error) => error);
    await eventually(async () => (await polls()) === 1, "the poll is held");
    cut();
    assert.ok((await poll) instanceof Error);
    await eventually(async () => (await polls()) === 0, "the hub saw the cut");
    const id = await command("s-3");
    const next = await d.post([], { wait: 20_000 });
    assert.deepEqual(next.frames, [{ t: "cmd", id, name: "blink", args: {} }]);
    await d.post([{ t: "cmd_ack", id }]);
    assert.equal((await commandRecord(id)).state, "delivered");
    assert.deepEqual((await d.post([])).frames, [], "nothing is sent twice");
    assert.equal((await commandRecord(id)).attempts, 1);
  });

  test("a response cut before it was written puts its frames back: the next response carries the ack and the command", async () => {
    const d = await device("s-4");
    await d.hello({ ivl: 60_000 });
    store.hold();
    let cut = (): void => {};
    const post = d
      .post([{ t: "batch", seq: 1, r: [{ ts: 1_700_000_000_000, m: { v: 1 } }] }], { sent: (c) => (cut = c) })
      .catch((e: Error) => e);
    await eventually(() => store.waiting > 0, "the batch waits for its commit");
    const id = await command("s-4");
    const connections = (): Promise<number> =>
      new Promise((resolve, reject) => running.hub.http.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    const open = await connections();
    cut();
    assert.ok((await post) instanceof Error);
    await eventually(async () => (await connections()) < open, "the hub saw the cut");
    store.release();
    await eventually(async () => (await running.hub.telemetry.countValues("s-4")) === 1, "the batch is durable");
    const next = await d.post([]);
    assert.deepEqual(next.frames, [
      { t: "ack", seq: 1 },
      { t: "cmd", id, name: "blink", args: {} },
    ]);
    await d.post([{ t: "cmd_ack", id }]);
    assert.deepEqual([(await commandRecord(id)).state, (await commandRecord(id)).attempts], ["delivered", 1]);
  });

  test("a command whose response was lost is sent again after resendAfterMs, with the same id, until its cmd_ack", async () => {
    const d = await device("s-5");
    await d.hello({ ivl: 60_000 });
    const id = await command("s-5");
    const lost = await d.post([]);
    assert.deepEqual(
      lost.frames.map((f) => f.id),
      [id],
    );
    // The device never saw it: its next poll is held until the resend.
    const again = await d.post([], { wait: 20_000 });
    assert.deepEqual(again.frames, [{ t: "cmd", id, name: "blink", args: {} }]);
    await d.post([{ t: "cmd_ack", id }]);
    const record = await commandRecord(id);
    assert.deepEqual([record.state, record.attempts], ["delivered", 2]);
    assert.deepEqual((await d.post([], { wait: 1_000 })).frames, [], "acknowledged: not sent again");
  });

  test("a configuration is resent after resendAfterMs until its config_ack, then not again", async () => {
    const d = await device("s-8");
    await d.hello({ ivl: 60_000 });
    const poll = d.post([], { wait: 20_000 });
    await eventually(async () => (await polls()) === 1, "the poll is held");
    const put = await callApi(running.hub, "PUT", "/api/v1/devices/s-8/config", { document: { interval: 5 } });
    assert.equal(put.status, 200);
    const config = { t: "config", v: 1, d: { interval: 5 } };
    assert.deepEqual((await poll).frames, [config], "the held poll is answered with it");
    assert.deepEqual((await d.post([], { wait: 20_000 })).frames, [config], "not acknowledged: sent again");
    assert.deepEqual((await d.post([{ t: "config_ack", v: 1, ok: true }])).frames, []);
    assert.equal((await callApi(running.hub, "GET", "/api/v1/devices/s-8/config")).body.reported.version, 1);
    assert.deepEqual((await d.post([], { wait: 1_000 })).frames, [], "acknowledged: not sent again");
  });

  test("a session expires ivl + graceMs after its last request: the device is disconnected and its sid unknown", async () => {
    const d = await device("s-6");
    const welcome = (await d.hello({ ivl: 200 })).frames[0];
    assert.equal(welcome?.ivl, 200);
    const view = async () => (await callApi(running.hub, "GET", "/api/v1/devices/s-6")).body;
    assert.deepEqual([(await view()).connected, (await view()).transport], [true, "http"]);
    await eventually(async () => (await view()).connected === false, "the session expired");
    assert.equal((await view()).transport, null);
    const after = await d.post([]);
    assert.deepEqual([after.status, after.code], [404, "TH_SESSION_UNKNOWN"]);
  });

  test("a device revoked while polling: the held poll ends with a TH_DEVICE_REVOKED error frame, the next request is 403", async () => {
    const d = await device("s-7");
    await d.hello({ ivl: 60_000 });
    const poll = d.post([], { wait: 20_000 });
    await eventually(async () => (await polls()) === 1, "the poll is held");
    assert.equal((await callApi(running.hub, "POST", "/api/v1/devices/s-7/revoke")).status, 200);
    const answer = await poll;
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.frames.map((f) => [f.t, f.code]),
      [["error", "TH_DEVICE_REVOKED"]],
    );
    const next = await d.post([]);
    assert.deepEqual([next.status, next.code], [403, "TH_AUTH_REVOKED"]);
  });
});
