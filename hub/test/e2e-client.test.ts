import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FileBuffer, TelehubClient, type TelehubClientError } from "@telehub/device-client";
import { createDevice } from "./support/create-device.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

const FAST_BACKOFF = { initialMs: 50, maxMs: 400 };

describe("the Node client against the real hub", () => {
  test("readings sent without a timestamp within one millisecond each get their own stamp, and all are stored", async () => {
    const running = await startHub();
    try {
      const token = await running.provision("same-ms-1");
      const frozen = Date.now();
      const client = new TelehubClient({ url: running.url, deviceId: "same-ms-1", token, now: () => frozen, backoff: FAST_BACKOFF });
      const rejected: string[] = [];
      client.on("rejected", (e) => rejected.push(e.code));
      await client.connect();
      for (let i = 0; i < 5; i++) client.send({ level: i });
      await client.flush(10_000);
      await client.close();
      assert.deepEqual(rejected, [], "no batch refused");
      const raw = await running.hub.telemetry.raw({ deviceId: "same-ms-1", metric: "level", from: 0, to: frozen + 60_000, limit: 100 });
      assert.deepEqual(
        raw.map((p) => p.value),
        [0, 1, 2, 3, 4],
      );
      assert.deepEqual(
        raw.map((p) => p.ts - (raw[0]?.ts ?? 0)),
        [0, 1, 2, 3, 4],
      );
    } finally {
      await running.dispose();
    }
  });

  test("a file-backed buffer keeps readings taken offline across a client restart, and the hub gets each once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-filebuffer-"));
    const running = await startHub();
    try {
      const token = await running.provision("pi-1");
      const bufferPath = join(dir, "buffer.log");
      // First life: streams for a while with the hub up.
      let buffer = await FileBuffer.open(bufferPath);
      let client = new TelehubClient({ url: running.url, deviceId: "pi-1", token, buffer, maxBatchReadings: 10, backoff: FAST_BACKOFF });
      await client.connect();
      for (let i = 0; i < 100; i++) client.send({ n: i }, 1_000_000 + i);
      await client.flush(10_000);
      await client.close();
      buffer.close();
      // Second life: the hub is down; readings go to the file only, then the process "restarts".
      await running.stop();
      buffer = await FileBuffer.open(bufferPath);
      client = new TelehubClient({ url: running.url, deviceId: "pi-1", token, buffer, maxBatchReadings: 10, backoff: FAST_BACKOFF });
      void client.connect().catch(() => undefined);
      for (let i = 100; i < 250; i++) client.send({ n: i }, 1_000_000 + i);
      await client.close({ flush: false });
      buffer.close();
      // Third life: the hub is back.
      const again = await startHub({ port: Number(new URL(running.url).port) }, running.dataDir);
      try {
        buffer = await FileBuffer.open(bufferPath);
        assert.equal(buffer.readingCount, 150, "the offline readings survived the restart");
        client = new TelehubClient({ url: again.url, deviceId: "pi-1", token, buffer, backoff: FAST_BACKOFF });
        await client.connect();
        await client.flush(10_000);
        await client.close();
        buffer.close();
        const raw = await again.hub.telemetry.raw({ deviceId: "pi-1", metric: "n", from: 0, to: 2_000_000, limit: 1000 });
        const missing = Array.from({ length: 250 }, (_, i) => i).filter((i) => !raw.some((p) => p.value === i));
        assert.deepEqual(
          missing,
          [],
          `missing readings; ts of stored: ${raw
            .filter((p) => p.value !== p.ts - 1_000_000)
            .map((p) => `${p.value}@${p.ts}`)
            .join(",")}`,
        );
        assert.equal(await again.hub.telemetry.countValues("pi-1"), 250);
      } finally {
        await again.dispose();
      }
    } finally {
      await running.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a client told to slow down (TH_RATE_LIMITED) paces its sending and loses nothing", async () => {
    const running = await startHub({ limits: { maxFramesPerSecond: 40, frameBurst: 10 } });
    try {
      const token = await running.provision("fast");
      const refusals: string[] = [];
      const client = new TelehubClient({
        url: running.url,
        deviceId: "fast",
        token,
        maxBatchReadings: 1,
        batchIntervalMs: 1,
        backoff: FAST_BACKOFF,
      });
      client.on("disconnected", (e) => refusals.push(`closed ${e.code}`));
      await client.connect();
      for (let i = 0; i < 120; i++) client.send({ i }, 5_000 + i);
      await client.flush(30_000);
      const metrics = await running.hub.metrics.registry.getSingleMetricAsString("telehub_rejected_total");
      assert.match(metrics, /code="TH_RATE_LIMITED"} [1-9]/, "the hub did refuse batches for rate");
      assert.doesNotMatch(metrics, /TH_FLOOD/, "the client honoured the slow-down and was never cut off");
      assert.deepEqual(refusals, []);
      assert.equal(await running.hub.telemetry.countValues("fast"), 120);
      await client.close();
    } finally {
      await running.dispose();
    }
  });

  test("revoking a device through the API kicks its live connection, and the client stops with TH_DEVICE_REVOKED", async () => {
    const running = await startHub({ adminKey: `thk_${"a".repeat(16)}_${"k".repeat(40)}` });
    try {
      const adminKey = running.hub.config.adminKey;
      const token = await createDevice(running.url, adminKey, "to-revoke");
      const client = new TelehubClient({ url: running.url, deviceId: "to-revoke", token, backoff: FAST_BACKOFF });
      const errors: TelehubClientError[] = [];
      client.on("error", (e) => errors.push(e));
      await client.connect();
      const response = await fetch(`${running.url}/api/v1/devices/to-revoke/revoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}` },
      });
      assert.equal(response.status, 200);
      await eventually(() => errors.length > 0, "the client reports the revocation");
      assert.equal(errors[0]?.code, "TH_DEVICE_REVOKED");
      assert.equal(client.connected, false);
      assert.deepEqual(running.hub.gateway.connectedIds(), []);
      await client.close({ flush: false });
    } finally {
      await running.dispose();
    }
  });
});
