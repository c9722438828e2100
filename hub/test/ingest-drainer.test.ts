import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TelemetryBatch } from "../src/storage/telemetry-store.js";
import { eventually } from "./support/eventually.js";
import { type IngestInstance, ingestEngines, openIngestInstance } from "./support/ingest-cluster.js";
import { requireNats } from "./support/nats.js";
import { requireInfluxd } from "./support/require-binary.js";

const batch = (deviceId: string, seq: number): TelemetryBatch => ({
  deviceId,
  seq,
  receivedAt: 2_000_000 + seq,
  readings: [
    { ts: 2_000_000 + seq * 10, metrics: { v: seq, label: `reading ${seq}` } },
    { ts: 2_000_001 + seq * 10, metrics: { v: -seq } },
  ],
});

/** A gauge's value in the instance's registry. */
async function gauge(instance: IngestInstance, name: string): Promise<number | undefined> {
  const metric = (await instance.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values[0]?.value;
}

describe("Ingest drainer (private nats-server and influxd)", { skip: requireNats() || requireInfluxd() }, () => {
  const engines = ingestEngines();

  describe("InfluxDB stopped", () => {
    let instance: IngestInstance;
    before(async () => {
      instance = await openIngestInstance(engines.nats.url, engines.influxd, {
        prefix: "outage",
        influx: { database: "outage", createDatabase: true },
      });
    });
    after(async () => {
      await instance?.close();
    });

    test("batches are still acknowledged, the backlog grows in the stream, and drains exactly once InfluxDB is back", async () => {
      await instance.store.append([batch("warmup", 1)]);
      assert.equal(await instance.store.countValues("warmup"), 3);
      await engines.influxd.stop();
      const devices = ["o1", "o2", "o3", "o4", "o5"];
      for (let seq = 1; seq <= 20; seq++) {
        const outcomes = await instance.store.append(devices.map((deviceId) => batch(deviceId, seq)));
        assert.deepEqual(outcomes, Array(devices.length).fill("stored"), `round ${seq} acknowledged with InfluxDB away`);
      }
      assert.equal((await instance.drainer?.backlog())?.messages, 100, "every batch waits in the stream");
      await eventually(async () => (await gauge(instance, "telehub_ingest_backlog_messages")) === 100, "the backlog gauge shows it", 5_000);
      await engines.influxd.start();
      await eventually(async () => (await instance.drainer?.backlog())?.messages === 0, "the backlog drained", 20_000);
      for (const deviceId of devices) assert.equal(await instance.store.countValues(deviceId), 20 * 3, `${deviceId}: each value once`);
      await eventually(async () => (await gauge(instance, "telehub_ingest_backlog_messages")) === 0, "the backlog gauge back at 0", 5_000);
    });
  });

  describe("the stream full (cluster.ingestMaxBytes)", () => {
    const stream = { maxBytes: 8_192 };
    const prefix = "full";
    let writer: IngestInstance;
    before(async () => {
      writer = await openIngestInstance(engines.nats.url, engines.influxd, {
        prefix,
        influx: { database: prefix, createDatabase: true },
        stream,
        withoutDrainer: true,
      });
    });
    after(async () => {
      await writer?.close();
    });

    test("appends are refused, not acknowledged, until a drainer makes room; every acknowledged batch arrives", async () => {
      let acknowledged = 0;
      let refusal: Error | undefined;
      for (let seq = 1; seq <= 200 && refusal === undefined; seq++) {
        try {
          assert.deepEqual(await writer.store.append([batch("filler", seq)]), ["stored"]);
          acknowledged = seq;
        } catch (error) {
          refusal = error as Error;
        }
      }
      assert.ok(refusal !== undefined && acknowledged > 5, `refused after ${acknowledged} batches: ${refusal?.message}`);
      await assert.rejects(writer.store.ping(), /full/, "not ready while full");
      const drainer = await openIngestInstance(engines.nats.url, engines.influxd, {
        prefix,
        influx: { database: prefix, createDatabase: true },
        stream,
      });
      try {
        await eventually(async () => (await drainer.drainer?.backlog())?.messages === 0, "drained", 20_000);
        await writer.store.ping();
        assert.deepEqual(await writer.store.append([batch("filler", acknowledged + 1)]), ["stored"]);
        await eventually(async () => (await drainer.drainer?.backlog())?.messages === 0, "drained", 20_000);
        assert.equal(await drainer.store.countValues("filler"), (acknowledged + 1) * 3);
      } finally {
        await drainer.close();
      }
    });
  });
});
