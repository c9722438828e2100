import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDevice, createSleepyDevice, type WakeStorage } from "@telehub/device-client/espruino";
import { buildBundle, SLEEP_ENTRY } from "@telehub/device-client/espruino/build";
import { createEspruinoHttpAdapter, createEspruinoNetAdapter, DeepSleepBoard } from "@telehub/device-client/espruino/testing";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

/*
 * The deep-sleep bundle (what `npm run flash -- --sleep` uploads) on a simulated ESP32 against
 * the real hub over the HTTP transport: every boot runs the bundle in a fresh V8 context until it
 * calls ESP32.deepSleep, and only Storage survives to the next boot (deep sleep resets the chip).
 * Sleeps take no time here: the next boot starts as soon as the last one sleeps.
 */

type Point = { ts: number; metric: string; value: unknown };

describe("the Espruino deep-sleep client against the real hub", () => {
  let running: RunningHub;
  let code: string;

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY });
    code = (await buildBundle(SLEEP_ENTRY)).minified;
  });
  after(async () => {
    await running.dispose();
  });

  const temps = async (id: string): Promise<number[]> => {
    const points: Point[] = (
      await callApi(running.hub, "GET", `/api/v1/devices/${id}/telemetry/raw?from=0&to=${Date.now() + 600_000}&limit=10000`)
    ).body.data;
    return points
      .filter((p) => p.metric === "temp")
      .map((p) => p.value as number)
      .sort((a, b) => a - b);
  };

  const board = async (id: string, options: { clockSkewMs?: number; refuse?: () => boolean; temperatures: number[]; token?: string }) => {
    const token = options.token ?? (await running.provision(id));
    const adapter = createEspruinoHttpAdapter({ chunkBytes: 7, refuse: options.refuse });
    const b = new DeepSleepBoard({
      code,
      http: adapter.http,
      clockSkewMs: options.clockSkewMs,
      temperatures: options.temperatures,
      files: { "telehub.json": { url: running.url, id, token, ssid: "", interval: 300 } },
    });
    return { board: b, log: adapter.log };
  };

  test("wake after wake, with the hub unreachable for two of them: every reading taken is stored once, one request and one flash write per wake", async (t) => {
    let unreachable = false;
    const temperatures = Array.from({ length: 8 }, (_, i) => 20 + i / 4);
    const { board: b, log } = await board("esp-sleep-1", { refuse: () => unreachable, temperatures });

    // First contact (nothing numbered in flash yet): hello alone, then the reading in the same session.
    const first = await b.boot();
    assert.equal(first.sleepUs, 300_000_000);
    assert.deepEqual(log.statuses, [200, 200], first.printed.join("\n"));

    const perWake: { requests: number; writes: number }[] = [];
    for (let wake = 1; wake < 8; wake++) {
      unreachable = wake === 3 || wake === 4;
      const requests = log.requests;
      const writes = b.storageLog.writes;
      const boot = await b.boot();
      assert.equal(boot.sleepUs, 300_000_000);
      perWake.push({ requests: log.requests - requests, writes: b.storageLog.writes - writes });
    }
    assert.deepEqual(
      perWake.map((w) => w.requests),
      [1, 1, 1, 1, 1, 1, 1],
      "one request per wake (a failed one included)",
    );
    assert.deepEqual(
      perWake.map((w) => w.writes),
      [1, 1, 1, 1, 1, 1, 1],
      "one flash write per wake: the batch number moves on every wake, and the buffer while the hub is away",
    );
    assert.deepEqual(b.taken, temperatures);
    assert.deepEqual(
      await temps("esp-sleep-1"),
      temperatures,
      "stored = taken: nothing lost across sleeps and the two failed wakes, nothing twice",
    );
    assert.deepEqual(Object.keys(b.storageLog.byFile), ["telehub.wake"]);
    const file = b.files.get("telehub.wake") as string;
    assert.ok(
      file.length <= 8,
      `after a wake whose readings are all acknowledged the file holds the batch number alone (${file.length} bytes)`,
    );
    t.diagnostic(
      `flash: ${b.storageLog.writes} files written in ${b.boots} boots, ${b.storageLog.bytes} bytes; the last: ${file.length} bytes`,
    );
  });

  test("a reset between the hub's answer and the flash write (the file one wake old): the next wake's batch numbers collide, are numbered again, and nothing is lost", async () => {
    const temperatures = [30, 30.5, 31, 31.5, 32];
    const { board: b, log } = await board("esp-sleep-7", { temperatures });
    await b.boot();
    await b.boot();
    const before = b.files.get("telehub.wake") as string;
    await b.boot(); // the hub stores its reading, then the write is lost:
    b.files.set("telehub.wake", before);
    const requests = log.requests;
    await b.boot();
    assert.equal(log.requests - requests, 2, "the renumbered batch goes in a second request");
    await b.boot();
    assert.deepEqual(await temps("esp-sleep-7"), temperatures, "stored = taken");
  });

  test("a refused request (a wrong token) is printed, the board sleeps as usual and keeps its reading for a later wake", async () => {
    await running.provision("esp-sleep-8");
    const { board: b, log } = await board("esp-sleep-8", { temperatures: [18], token: "thd_wrong" });
    const boot = await b.boot();
    assert.deepEqual(log.statuses, [401]);
    assert.equal(boot.sleepUs, 300_000_000);
    assert.ok(
      boot.printed.some((line) => line.startsWith("telehub: refused 401 TH_AUTH_INVALID")),
      boot.printed.join("\n"),
    );
    assert.ok((b.files.get("telehub.wake") as string).length > 10, "the reading is kept in flash");
  });

  test("a command sent while the board sleeps runs at its next wake, once, and reaches succeeded in the same wake", async () => {
    const { board: b, log } = await board("esp-sleep-2", { temperatures: [21, 22, 23] });
    await b.boot();
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/esp-sleep-2/commands", { name: "interval", args: { seconds: 600 } });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));

    const requests = log.requests;
    const wake = await b.boot();
    assert.equal(log.requests - requests, 2, "the answer's cmd_ack and cmd_result go in a second short request before sleeping");
    assert.equal(wake.sleepUs, 600_000_000, "the command changed the sleep interval");
    const done = await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}?wait=5000`);
    assert.equal(done.body.state, "succeeded", JSON.stringify(done.body));
    assert.equal(done.body.result, 600);

    const next = await b.boot();
    assert.equal(next.sleepUs, 600_000_000, "kept in Storage across the sleep");
    assert.deepEqual(await temps("esp-sleep-2"), [21, 22, 23]);
  });

  test("a board whose clock was never set (1970 after power-up) asks the hub's time before it takes a reading, and stamps on it", async () => {
    const { board: b, log } = await board("esp-sleep-3", { clockSkewMs: -Date.now() + 5_000, temperatures: [19.5, 19.75] });
    const before = Date.now();
    await b.boot();
    assert.deepEqual(log.statuses, [200, 200]);
    await b.boot();
    const points: Point[] = (
      await callApi(running.hub, "GET", `/api/v1/devices/esp-sleep-3/telemetry/raw?from=0&to=${Date.now() + 600_000}`)
    ).body.data;
    const stamps = points.filter((p) => p.metric === "temp").map((p) => p.ts);
    assert.equal(stamps.length, 2);
    for (const ts of stamps)
      assert.ok(ts >= before - 2_000 && ts <= Date.now() + 2_000, `${new Date(ts).toISOString()} is on the hub's clock`);
  });

  test("a command whose cmd_ack was lost (the wake's second request failed) is acknowledged at the next wake and not run again", async () => {
    const token = await running.provision("esp-sleep-6");
    let failRequest = 0;
    const adapter = createEspruinoHttpAdapter({ refuse: () => adapter.log.requests === failRequest });
    const files = new Map<string, string>();
    const storage: WakeStorage = {
      read: (name) => files.get(name),
      write: (name, data, offset, size) => {
        const old = offset === 0 ? "\xff".repeat(size) : (files.get(name) as string);
        files.set(name, old.slice(0, offset) + data + old.slice(offset + data.length));
      },
    };
    let runs = 0;
    /** One wake: a fresh client (deep sleep clears RAM) over the same flash. */
    const wake = (reading: number) =>
      new Promise<boolean>((resolve) => {
        const device = createSleepyDevice(
          { http: adapter.http, storage, now: () => Date.now() },
          {
            url: running.url,
            deviceId: "esp-sleep-6",
            token,
            metrics: ["temp"],
            sleepMs: 300_000,
            commands: {
              count: () => {
                runs++;
                return runs;
              },
            },
          },
        );
        device.wake(() => device.add([reading]), resolve);
      });
    assert.equal(await wake(1), true);
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/esp-sleep-6/commands", { name: "count" });
    failRequest = adapter.log.requests + 2; // this wake's second request: the one carrying cmd_ack and cmd_result
    assert.equal(await wake(2), true);
    assert.equal(runs, 1);
    assert.notEqual((await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}`)).body.state, "succeeded");
    assert.equal(await wake(3), true);
    const done = await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}?wait=5000`);
    assert.equal(done.body.state, "succeeded", JSON.stringify(done.body));
    assert.equal(done.body.result, 1);
    assert.equal(runs, 1, "run once, though the hub sent it again after the next hello");
    assert.deepEqual(await temps("esp-sleep-6"), [1, 2, 3]);
  });

  test("what a wake costs on the wire: HTTP (one request) against a WebSocket wake (upgrade, hello/welcome, batch/ack, close), measured against this hub", async (t) => {
    // HTTP: a board that has contacted the hub before (the usual wake): one reading, one request.
    const { board: b, log } = await board("esp-sleep-4", { temperatures: [20, 21] });
    await b.boot();
    const before = { requests: log.requests, sent: log.bytesSent, received: log.bytesReceived };
    const started = performance.now();
    await b.boot();
    const httpMs = performance.now() - started;
    const http = {
      requests: log.requests - before.requests,
      sent: log.bytesSent - before.sent,
      received: log.bytesReceived - before.received,
    };
    assert.equal(http.requests, 1);

    // WebSocket: the same reading with the WebSocket client, from connect to the end of the closing handshake.
    const token = await running.provision("esp-sleep-5");
    const adapter = createEspruinoNetAdapter();
    const events: string[] = [];
    const device = createDevice(adapter.platform, {
      url: running.wsUrl,
      deviceId: "esp-sleep-5",
      token,
      metrics: ["temp", "rssi", "heap"],
      batchReadings: 10,
      flushMs: 0,
      model: "esp32",
      fw: "0.1.0",
      attrs: { espruino: "2v29" },
      onEvent: (name) => events.push(name),
    });
    const wsStarted = performance.now();
    device.start();
    await eventually(() => events.includes("welcome"), "welcome");
    device.add([20, -60, 4321]);
    await eventually(() => events.includes("ack"), "ack");
    device.stop();
    await eventually(() => events.includes("close"), "closed");
    const wsMs = performance.now() - wsStarted;
    const ws = { connections: adapter.log.connects, sent: adapter.log.bytesWritten, received: adapter.log.bytesRead };
    assert.equal(ws.connections, 1);

    t.diagnostic(
      `HTTP wake: ${http.requests} request, ${http.sent} bytes sent + ${http.received} received = ${http.sent + http.received}; ` +
        `2 round trips (TCP connect, POST/answer); ${httpMs.toFixed(0)} ms on loopback, bundle booted included`,
    );
    t.diagnostic(
      `WebSocket wake: ${ws.connections} connection, ${ws.sent} bytes sent + ${ws.received} received = ${ws.sent + ws.received}; ` +
        `5 round trips (TCP connect, upgrade, hello/welcome, batch/ack, close); ${wsMs.toFixed(0)} ms on loopback`,
    );
  });
});
