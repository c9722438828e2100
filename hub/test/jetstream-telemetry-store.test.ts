import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TelemetryBatch } from "../src/storage/telemetry-store.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";
import { influxValues } from "./support/influx-store.js";
import { type IngestInstance, openIngestInstance } from "./support/ingest-cluster.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";
import { requireInfluxd } from "./support/require-binary.js";

const batch = (deviceId: string, seq: number, value = seq): TelemetryBatch => ({
  deviceId,
  seq,
  receivedAt: 1_000_000 + seq,
  readings: [{ ts: 1_000_000 + seq, metrics: { v: value } }],
});

describe("JetStream telemetry store (private nats-server and influxd)", { skip: requireNats() || requireInfluxd() }, () => {
  let nats: NatsServer;
  let influxd: PrivateInfluxd;
  before(async () => {
    [nats, influxd] = await Promise.all([startNats(), startInfluxd()]);
  });
  after(async () => {
    await Promise.all([nats?.stop(), influxd?.remove()]);
  });

  describe("the TelemetryStore contract, reads after this instance's batches are drained", () => {
    let instance: IngestInstance | undefined;
    const open = async () => {
      await instance?.close();
      instance = await openIngestInstance(nats.url, influxd, {
        prefix: "contract",
        influx: { database: "contract", createDatabase: true },
      });
      return instance.store;
    };
    telemetryStoreContract("JetStream stream drained into InfluxDB 1.x", {
      open,
      reopen: open,
      dispose: async () => instance?.close(),
    });
  });
});
