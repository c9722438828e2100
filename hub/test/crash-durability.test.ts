import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { removeDataDir, spawnHub } from "../src/process/spawn-hub.js";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { createDevice } from "./support/create-device.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

test("everything the hub acknowledged survives SIGKILL of the hub process", async () => {
  const first = await spawnHub();
  let second: Awaited<ReturnType<typeof spawnHub>> | undefined;
  try {
    const token = await createDevice(first.url, first.adminKey, "crash-1");
    const device = await RawDevice.connect(first.url.replace("http", "ws"), { deviceId: "crash-1", token });
    if (isRefusal(device)) assert.fail(device.code);
    await device.hello();
    const readingsPerBatch = 20;
    let seq = 0;
    const send = (): void => {
      seq++;
      device.send({ t: "batch", seq, r: Array.from({ length: readingsPerBatch }, (_, i) => ({ ts: seq * 1000 + i, m: { v: seq, i } })) });
    };
    // Stream with a window of 8 batches in flight until enough are acknowledged, then kill mid-stream.
    const acked = (): number => Math.max(0, ...device.frames.filter((f) => f.t === "ack").map((f) => f.seq as number));
    while (acked() < 200) {
      while (seq - acked() < 8) send();
      await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < 8; i++) send();
    await first.kill();
    const acknowledged = acked();
    device.close();

    second = await spawnHub({ dataDir: first.dataDir, port: first.port });
    const again = await RawDevice.connect(second.url.replace("http", "ws"), { deviceId: "crash-1", token });
    if (isRefusal(again)) assert.fail(again.code);
    const welcome = await again.hello();
    assert.ok((welcome.seq as number) >= acknowledged, `welcome.seq ${welcome.seq} < acknowledged ${acknowledged}`);
    again.close();
    await second.stop();

    const store = new SqliteTelemetryStore(join(first.dataDir, "telemetry.db"));
    try {
      const durableSeq = await store.lastSequence("crash-1");
      assert.equal(
        await store.countValues("crash-1"),
        durableSeq * readingsPerBatch * 2,
        "every durable batch is complete (no torn batch)",
      );
      assert.ok(durableSeq >= acknowledged);
    } finally {
      await store.close();
    }
  } finally {
    await first.kill();
    await second?.kill();
    removeDataDir(first);
  }
});
