import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { type PrivateNginx, requireNginx, startNoUpgradeProxy } from "./support/nginx.js";

// Issue #20: a long poll cut by the proxy mid-wait (nginx's proxy_read_timeout, 0.7 s against the
// client's 20 s wait) loses nothing and delivers nothing twice. gateway.http.resendAfterMs is
// 1 ms, so commands reach the device again before their cmd_ack is in: each must still run once
// and be delivered once.

const READ_TIMEOUT_MS = 700;

describe("long polls cut by the proxy (nginx proxy_read_timeout)", { skip: requireNginx() }, () => {
  let running: RunningHub;
  let proxy: PrivateNginx;
  let device: TelehubClient | undefined;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, commands: { sweepIntervalMs: 20 }, gateway: { http: { resendAfterMs: 1 } } });
    proxy = await startNoUpgradeProxy(running.url, READ_TIMEOUT_MS);
  });
  after(async () => {
    await device?.close({ flush: false });
    await proxy?.stop();
    await running?.dispose();
  });

  test("commands queued across cut polls each run once and succeed; readings sent meanwhile are stored once each", async () => {
    const token = await running.provision("cut-1");
    device = new TelehubClient({
      url: proxy.url,
      deviceId: "cut-1",
      token,
      transports: ["http"],
      httpWaitMs: 20_000,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const runs = new Map<number, number>();
    device.onCommand("step", (args) => {
      const k = args.k as number;
      runs.set(k, (runs.get(k) ?? 0) + 1);
      return { k };
    });
    // The 504s nginx answers when it cuts a held poll: each starts a new cycle of READ_TIMEOUT_MS.
    let cutSeen: () => void = () => undefined;
    device.on("disconnected", (e) => {
      if (e.httpStatus === 504) cutSeen();
    });
    await device.connect();

    // Each command is queued one read timeout after a cut, give or take a few ms: while the poll
    // that followed the cut is held, just as nginx cuts it, or just after.
    const offsets = [-40, -15, 0, 10, 25, 50];
    const ids: string[] = [];
    const base = 1_700_000_000_000;
    let readings = 0;
    for (const [k, offset] of offsets.entries()) {
      await new Promise<void>((resolve) => {
        cutSeen = resolve;
      });
      await new Promise((resolve) => setTimeout(resolve, READ_TIMEOUT_MS + offset));
      const sent = await callApi(running.hub, "POST", "/api/v1/devices/cut-1/commands", { name: "step", args: { k } });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      ids.push(sent.body.id);
      for (let i = 0; i < 25; i++) device.send({ r: readings }, base + readings++);
    }
    await device.flush(10_000);

    for (const id of ids) {
      const done = await callApi(running.hub, "GET", `/api/v1/commands/${id}?wait=10000`);
      assert.equal(done.body.state, "succeeded", JSON.stringify(done.body));
      const states = (done.body.transitions as { state: string }[]).map((t) => t.state);
      assert.equal(states.filter((s) => s === "delivered").length, 1, states.join(","));
    }
    assert.deepEqual(
      [...runs.entries()].sort((a, b) => a[0] - b[0]),
      offsets.map((_, k) => [k, 1]),
      "every command ran exactly once on the device",
    );
    assert.equal(await running.hub.telemetry.countValues("cut-1"), readings, "every reading stored once");
    const raw = await running.hub.telemetry.raw({ deviceId: "cut-1", metric: "r", from: base, to: base + readings, limit: readings * 2 });
    assert.deepEqual(
      raw.map((p) => p.value),
      Array.from({ length: readings }, (_, i) => i),
    );
    assert.match(proxy.errorLog(), /upstream timed out/, "nginx did cut held polls");
  });
});
