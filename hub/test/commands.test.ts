import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

const FAST = { initialMs: 20, maxMs: 200 };

describe("commands to devices", () => {
  let running: RunningHub;
  const clients: TelehubClient[] = [];

  async function device(id: string): Promise<{ token: string; client: () => TelehubClient }> {
    const token = await running.provision(id);
    return {
      token,
      client: () => {
        const client = new TelehubClient({ url: running.url, deviceId: id, token, backoff: FAST });
        clients.push(client);
        return client;
      },
    };
  }

  const send = (id: string, body: Record<string, unknown>, query = "") =>
    callApi(running.hub, "POST", `/api/v1/devices/${id}/commands${query}`, body);
  const read = (commandId: string, query = "") => callApi(running.hub, "GET", `/api/v1/commands/${commandId}${query}`);

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 } });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await running.dispose();
  });

  test("a command to an offline device is delivered when it connects; its states and result are true", async () => {
    const { client } = await device("off-1");
    const sent = await send("off-1", { name: "set_point", args: { celsius: 21.5 } });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.state, "queued");
    const c = client();
    c.onCommand("set_point", (args) => ({ applied: args.celsius ?? null }));
    await c.connect();
    const done = await read(sent.body.id, "?wait=5000");
    assert.equal(done.body.state, "succeeded");
    assert.deepEqual(done.body.result, { applied: 21.5 });
    assert.deepEqual(
      done.body.transitions.map((t: { state: string }) => t.state),
      ["queued", "sent", "delivered", "succeeded"],
    );
    assert.equal(done.body.attempts, 1);
    assert.ok(done.body.deliveredAt >= done.body.createdAt);
  });

  test("wait on send answers with the final state; a throwing handler fails the command with its message; unknown names fail with TH_CMD_UNKNOWN", async () => {
    const { client } = await device("on-1");
    const c = client();
    c.onCommand("explode", () => {
      throw new Error("boom");
    });
    await c.connect();
    const failed = await send("on-1", { name: "explode" }, "?wait=5000");
    assert.equal(failed.status, 201);
    assert.equal(failed.body.state, "failed");
    assert.deepEqual(failed.body.error, { code: "TH_CMD_FAILED", message: "boom" });
    const unknown = await send("on-1", { name: "teleport" }, "?wait=5000");
    assert.equal(unknown.body.state, "failed");
    assert.equal(unknown.body.error.code, "TH_CMD_UNKNOWN");
  });

  test("a command not delivered within its TTL expires", async () => {
    await device("never-1");
    const sent = await send("never-1", { name: "ping", ttlMs: 100 });
    const final = await read(sent.body.id, "?wait=3000");
    assert.equal(final.body.state, "expired");
  });

  test("a delivered command without a result within its timeout times out", async () => {
    const { client } = await device("slow-1");
    const c = client();
    c.onCommand("hang", () => new Promise(() => undefined));
    await c.connect();
    const final = await send("slow-1", { name: "hang", timeoutMs: 150 }, "?wait=3000");
    assert.equal(final.body.state, "timed_out");
    assert.deepEqual(
      final.body.transitions.map((t: { state: string }) => t.state),
      ["queued", "sent", "delivered", "timed_out"],
    );
  });

  test("a command cancelled before delivery never reaches the device; cancelling a final command is 409", async () => {
    const { client } = await device("cancel-1");
    const sent = await send("cancel-1", { name: "reboot" });
    const cancelled = await callApi(running.hub, "POST", `/api/v1/commands/${sent.body.id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, "cancelled");
    let ran = 0;
    const c = client();
    c.onCommand("reboot", () => {
      ran++;
    });
    await c.connect();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ran, 0);
    const again = await callApi(running.hub, "POST", `/api/v1/commands/${sent.body.id}/cancel`);
    assert.deepEqual([again.status, again.body.error.code], [409, "TH_API_COMMAND_NOT_CANCELLABLE"]);
  });

  test("commands of one device run in the order they were sent (FIFO), also when queued offline", async () => {
    const { client } = await device("fifo-1");
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await send("fifo-1", { name: "step", args: { i } })).body.id);
    const order: number[] = [];
    const c = client();
    c.onCommand("step", (args) => {
      order.push(args.i as number);
    });
    await c.connect();
    for (let i = 6; i < 10; i++) ids.push((await send("fifo-1", { name: "step", args: { i } })).body.id);
    for (const id of ids) assert.equal((await read(id, "?wait=5000")).body.state, "succeeded");
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("a command sent but not acknowledged before a disconnect is sent again with the same id, and runs once", async () => {
    const { token, client } = await device("flaky-1");
    const raw = await RawDevice.connect(running.wsUrl, { deviceId: "flaky-1", token });
    if (isRefusal(raw)) assert.fail(raw.code);
    await raw.hello();
    const sent = await send("flaky-1", { name: "count" });
    const first = await raw.next("cmd");
    assert.equal(first.id, sent.body.id);
    raw.close();
    assert.equal((await read(sent.body.id)).body.state, "sent", "not delivered without the device's ack");
    let runs = 0;
    const c = client();
    c.onCommand("count", () => ++runs);
    await c.connect();
    const final = await read(sent.body.id, "?wait=5000");
    assert.equal(final.body.state, "succeeded");
    assert.equal(final.body.attempts, 2);
    assert.equal(runs, 1);
  });

  test("an idempotency key returns the same command instead of a second one", async () => {
    await device("idem-1");
    const first = await send("idem-1", { name: "x", idempotencyKey: "order-7" });
    const second = await send("idem-1", { name: "x", idempotencyKey: "order-7" });
    assert.deepEqual([first.status, second.status], [201, 200]);
    assert.equal(second.body.id, first.body.id);
    const list = await callApi(running.hub, "GET", "/api/v1/commands?deviceId=idem-1");
    assert.equal(list.body.total, 1);
  });

  test("a full per-device queue answers 429 TH_API_COMMAND_QUEUE_FULL", async () => {
    const small = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { maxQueuedPerDevice: 3 } });
    try {
      await small.provision("busy-1");
      for (let i = 0; i < 3; i++)
        assert.equal((await callApi(small.hub, "POST", "/api/v1/devices/busy-1/commands", { name: "x" })).status, 201);
      const refused = await callApi(small.hub, "POST", "/api/v1/devices/busy-1/commands", { name: "x" });
      assert.deepEqual([refused.status, refused.body.error.code], [429, "TH_API_COMMAND_QUEUE_FULL"]);
      const unknown = await callApi(small.hub, "POST", "/api/v1/devices/nobody/commands", { name: "x" });
      assert.equal(unknown.status, 404);
    } finally {
      await small.dispose();
    }
  });

  test("deleting a device cancels the commands still waiting for it", async () => {
    await device("gone-1");
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await send("gone-1", { name: "x" })).body.id);
    assert.equal((await callApi(running.hub, "DELETE", "/api/v1/devices/gone-1")).status, 204);
    for (const id of ids) assert.equal((await read(id)).body.state, "cancelled");
  });

  test("the audit log names who sent and cancelled what", async () => {
    const audit = await callApi(running.hub, "GET", "/api/v1/audit?action=command.cancel");
    assert.equal(audit.status, 200);
    assert.equal(audit.body.total, 1);
    const [entry] = audit.body.data;
    assert.equal(entry.actor, "key:abababababababab");
    assert.equal(entry.owner, "user:admin", "the bootstrap admin key belongs to the first admin user");
    assert.equal(entry.details.status, 200);
    const sends = await callApi(running.hub, "GET", "/api/v1/audit?action=command.send&target=idem-1");
    assert.equal(sends.body.total, 2);
    assert.deepEqual(sends.body.data.map((e: { details: { created: boolean } }) => e.details.created).sort(), [false, true]);
  });
});

describe("commands at fleet scale and across restarts", () => {
  test("one command to 100 devices reaches a final state on each", async () => {
    const running = await startHub({ adminKey: TEST_ADMIN_KEY });
    const clients: TelehubClient[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const id = `fleet-${i}`;
        const token = await running.provision(id);
        await callApi(running.hub, "PATCH", `/api/v1/devices/${id}`, { labels: { site: "north" } });
        const client = new TelehubClient({
          url: running.url,
          deviceId: id,
          token,
          backoff: FAST,
          attributes: { ring: i % 2 === 0 ? "even" : "odd" },
        });
        client.onCommand("blink", (args) => ({ device: id, times: args.times ?? null }));
        clients.push(client);
      }
      await Promise.all(clients.map((c) => c.connect()));
      const bulk = await callApi(running.hub, "POST", "/api/v1/commands/bulk", {
        name: "blink",
        args: { times: 3 },
        selector: { labels: { site: "north" } },
      });
      assert.equal(bulk.status, 200);
      assert.equal(bulk.body.results.length, 100);
      assert.ok(bulk.body.results.every((r: { status: number }) => r.status === 201));
      await eventually(
        async () => (await callApi(running.hub, "GET", "/api/v1/commands?state=succeeded&limit=1")).body.total === 100,
        "100 commands succeeded",
      );
      const one = bulk.body.results.find((r: { deviceId: string }) => r.deviceId === "fleet-42").command.id;
      assert.deepEqual((await callApi(running.hub, "GET", `/api/v1/commands/${one}`)).body.result, { device: "fleet-42", times: 3 });
      const even = await callApi(running.hub, "POST", "/api/v1/commands/bulk", {
        name: "blink",
        selector: { attributes: { ring: "even" } },
      });
      assert.equal(even.body.results.length, 50, "a selector on reported attributes");
      assert.ok(even.body.results.every((r: { deviceId: string }) => Number(r.deviceId.split("-")[1]) % 2 === 0));
    } finally {
      await Promise.all(clients.map((c) => c.close({ flush: false })));
      await running.dispose();
    }
  });

  test("queued commands survive a hub restart and are delivered afterwards", async () => {
    const first = await startHub({ adminKey: TEST_ADMIN_KEY });
    const token = await first.provision("later-1");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await callApi(first.hub, "POST", "/api/v1/devices/later-1/commands", { name: "n", args: { i } })).body.id);
    await first.stop();
    const second = await startHub({ adminKey: TEST_ADMIN_KEY }, first.dataDir);
    const client = new TelehubClient({ url: second.url, deviceId: "later-1", token, backoff: FAST });
    try {
      const seen: number[] = [];
      client.onCommand("n", (args) => {
        seen.push(args.i as number);
      });
      await client.connect();
      for (const id of ids) assert.equal((await callApi(second.hub, "GET", `/api/v1/commands/${id}?wait=5000`)).body.state, "succeeded");
      assert.deepEqual(seen, [0, 1, 2]);
    } finally {
      await client.close({ flush: false });
      await second.dispose();
    }
  });
});
