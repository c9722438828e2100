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

const reading = (seq: number, value: number) => ({ t: "batch", seq, r: [{ ts: 1_700_000_000_000 + seq, m: { temp: value } }] });

describe("HTTP transport: sessions, batches and long polls", () => {
  let running: RunningHub;
  let store: HoldableStore;

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "telehub-test-"));
    store = holdable(new SqliteTelemetryStore(join(dataDir, "telemetry.db"), "full"));
    running = await startHub(
      { adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 }, gateway: { http: { resendAfterMs: 300 } } },
      dataDir,
      { telemetry: store },
    );
  });
  after(() => running.dispose());

  const device = async (id: string): Promise<HttpDevice> =>
    new HttpDevice(running.url, { deviceId: id, token: await running.provision(id) });

  test("hello is answered with a welcome that names the session, its interval and the longest wait", async () => {
    const d = await device("h-1");
    const answer = await d.hello({ ivl: 60_000 });
    assert.equal(answer.status, 200);
    assert.equal(answer.contentType, "application/cbor-seq");
    assert.equal(answer.cacheControl, "no-store");
    const [welcome, ...rest] = answer.frames;
    assert.equal(welcome?.t, "welcome");
    assert.equal(welcome?.seq, 0);
    assert.match(String(welcome?.sid), /^[A-Za-z0-9_-]{16,64}$/);
    assert.equal(welcome?.ivl, 60_000);
    assert.equal(welcome?.wait, 30_000);
    assert.ok(typeof welcome?.hb === "number" && typeof welcome?.lim === "object");
    assert.deepEqual(rest, []);
    const { body } = await callApi(running.hub, "GET", "/api/v1/devices/h-1");
    assert.equal(body.connected, true);
    assert.equal(body.transport, "http");
    const other = await device("h-1b");
    await other.hello();
    assert.notEqual(other.sid, d.sid, "each session has its own id");
  });

  test("hello.ivl is capped at gateway.http.maxIntervalMs, absent it is hb; one that is not a whole number from 1 ends the session (4422's code)", async () => {
    const d = await device("h-4");
    assert.equal((await d.hello({ ivl: 10_000_000 })).frames[0]?.ivl, 3_600_000);
    const welcome = (await d.hello()).frames[0];
    assert.equal(welcome?.ivl, welcome?.hb);
    for (const ivl of [0, 1.5, -1, "60000"]) {
      const refused = await d.hello({ ivl });
      assert.deepEqual(
        refused.frames.map((f) => [f.t, f.code]),
        [["error", "TH_PROTOCOL_VIOLATION"]],
        `ivl ${JSON.stringify(ivl)}`,
      );
    }
  });

  test("a batch is acknowledged in the response only once it is durable; a resend is acknowledged again and stored once", async () => {
    const d = await device("h-2");
    await d.hello();
    const { hub } = running;
    store.hold();
    let answered = false;
    const pending = d.post([reading(1, 20), reading(2, 21)]).then((answer) => {
      answered = true;
      return answer;
    });
    await eventually(() => store.waiting > 0, "the batches wait for their commit");
    // The HTTP round trip has long finished if the hub answered before the commit.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(answered, false, "no answer before the batches are durable");
    assert.equal(await hub.telemetry.countValues("h-2"), 0);
    store.release();
    const answer = await pending;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.frames, [
      { t: "ack", seq: 1 },
      { t: "ack", seq: 2 },
    ]);
    assert.equal(await hub.telemetry.countValues("h-2"), 2);
    const again = await d.post([reading(2, 21)]);
    assert.deepEqual(again.frames, [{ t: "ack", seq: 2 }]);
    assert.equal(await hub.telemetry.countValues("h-2"), 2, "the resend is not stored twice");
  });

  test("a command created while a poll is held answers the poll at once; cmd_ack makes it delivered, cmd_result succeeded", async () => {
    const d = await device("h-3");
    await d.hello({ cmds: ["blink"] });
    const poll = d.post([], { wait: 20_000 });
    // The poll is held: nothing to send yet.
    await eventually(async () => /^telehub_http_polls 1$/m.test(await running.hub.metrics.registry.metrics()), "the poll is held");
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/h-3/commands", { name: "blink", args: { times: 2 } });
    assert.equal(sent.status, 201);
    const answer = await poll;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.frames, [{ t: "cmd", id: sent.body.id, name: "blink", args: { times: 2 } }]);
    assert.equal((await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}`)).body.state, "sent");
    const acked = await d.post([{ t: "cmd_ack", id: sent.body.id }]);
    assert.deepEqual(acked.frames, []);
    assert.equal((await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}`)).body.state, "delivered");
    const result = await d.post([{ t: "cmd_result", id: sent.body.id, ok: true, res: { done: true } }]);
    assert.deepEqual(result.frames, [{ t: "cmd_done", id: sent.body.id }]);
    const final = (await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}`)).body;
    assert.equal(final.state, "succeeded");
    assert.equal(final.attempts, 1);
  });
});
