import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TelemetryBatch } from "../src/storage/telemetry-store.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";
import { eventually } from "./support/eventually.js";
import { type IngestInstance, ingestEngines, openIngestInstance } from "./support/ingest-cluster.js";
import { requireNats } from "./support/nats.js";
import { requireInfluxd } from "./support/require-binary.js";

const batch = (deviceId: string, seq: number, value = seq): TelemetryBatch => ({
  deviceId,
  seq,
  receivedAt: 1_000_000 + seq,
  readings: [{ ts: 1_000_000 + seq, metrics: { v: value } }],
});

describe("JetStream telemetry store (private nats-server and influxd)", { skip: requireNats() || requireInfluxd() }, () => {
  const engines = ingestEngines();

  describe("the TelemetryStore contract, reads after this instance's batches are drained", () => {
    let instance: IngestInstance | undefined;
    const open = async () => {
      await instance?.close();
      instance = await openIngestInstance(engines.nats.url, engines.influxd, {
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

  describe("two instances on one stream", () => {
    let a: IngestInstance;
    let b: IngestInstance;
    before(async () => {
      [a, b] = await Promise.all([
        openIngestInstance(engines.nats.url, engines.influxd, { prefix: "pair", influx: { database: "pair", createDatabase: true } }),
        openIngestInstance(engines.nats.url, engines.influxd, { prefix: "pair", influx: { database: "pair", createDatabase: true } }),
      ]);
    });
    after(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    test("a device that moves to another instance resumes at its sequence there; resends are duplicates", async () => {
      assert.deepEqual(await a.store.append([1, 2, 3, 4, 5].map((seq) => batch("mover", seq))), Array(5).fill("stored"));
      assert.equal(await b.store.lastSequence("mover"), 5, "the other instance reads the shared sequence");
      assert.deepEqual(await b.store.append([batch("mover", 4), batch("mover", 5), batch("mover", 6)]), [
        "duplicate",
        "duplicate",
        "stored",
      ]);
      // The old instance's view is stale (it last wrote 5): its resends of 6 and of 5 are duplicates too.
      assert.deepEqual(await a.store.append([batch("mover", 6)]), ["duplicate"]);
      assert.equal(await a.store.lastSequence("mover"), 6);
      assert.equal(await b.store.countValues("mover"), 6);
    });

    test("a stale instance cannot interleave an older batch behind a newer one (the device's subject moved on)", async () => {
      await a.store.append([batch("race", 1), batch("race", 2)]);
      assert.equal(await b.store.lastSequence("race"), 2);
      // The device dropped batch 3 (its buffer overflowed) and resent from 4 to the new instance...
      assert.deepEqual(await b.store.append([batch("race", 4)]), ["stored"]);
      // ...while the old instance still had 3 in hand: never stored after 4.
      assert.deepEqual(await a.store.append([batch("race", 3)]), ["duplicate"]);
      assert.deepEqual(await a.store.append([batch("race", 5)]), ["stored"]);
      assert.equal(await a.store.countValues("race"), 4);
      const values = (await a.store.raw({ deviceId: "race", from: 0, to: 2e6, limit: 10 })).map((p) => p.value);
      assert.deepEqual(values, [1, 2, 4, 5]);
    });

    test("both instances appending the same device at once store each batch once", async () => {
      // Each instance commits one group at a time (as its batch writer does); the two run at once.
      const appendAll = async (instance: IngestInstance) => {
        const outcomes = [];
        for (let seq = 1; seq <= 40; seq++) outcomes.push(...(await instance.store.append([batch("both", seq)])));
        return outcomes;
      };
      const outcomes = await Promise.all([appendAll(a), appendAll(b)]);
      const stored = outcomes.flat().filter((outcome) => outcome === "stored").length;
      assert.equal(stored, 40, "each sequence number stored by one of them, the other told duplicate");
      // Each instance reads its own writes; the other's last ones may still be on their way.
      await eventually(async () => (await a.store.countValues("both")) === 40, "InfluxDB holds 40 values", 15_000);
    });

    test("a metric one instance records is read on the other, which had the device's types already", async () => {
      await a.store.append([{ deviceId: "typed", seq: 1, receivedAt: 1, readings: [{ ts: 1_000, metrics: { t: 1 } }] }]);
      // Reads are eventually consistent across instances: the batch is drained by either one.
      await eventually(async () => (await b.store.latest("typed")).map((v) => v.metric).join() === "t", "the other reads t", 10_000);
      await a.store.append([{ deviceId: "typed", seq: 2, receivedAt: 2, readings: [{ ts: 2_000, metrics: { t: 2, mode: "eco" } }] }]);
      await eventually(
        async () => (await b.store.latest("typed")).map((v) => `${v.metric}=${v.value}`).join() === "mode=eco,t=2",
        "the other instance reads the new metric",
        10_000,
      );
    });

    test("a device's sequence outlives the stream: once drained, it is read from the sequences bucket", async () => {
      await eventually(async () => (await a.drainer?.backlog())?.messages === 0, "the stream is drained", 15_000);
      const fresh = await openIngestInstance(engines.nats.url, engines.influxd, {
        prefix: "pair",
        influx: { database: "pair" },
        withoutDrainer: true,
      });
      try {
        assert.equal(await fresh.store.lastSequence("mover"), 6);
        assert.equal(await fresh.store.lastSequence("race"), 5);
        assert.deepEqual(await fresh.store.append([batch("mover", 6), batch("mover", 7)]), ["duplicate", "stored"]);
      } finally {
        await fresh.close();
      }
    });
  });

  describe("NATS killed (SIGKILL) while batches are appended", () => {
    let instance: IngestInstance;
    before(async () => {
      instance = await openIngestInstance(engines.nats.url, engines.influxd, {
        prefix: "crash",
        influx: { database: "crash", createDatabase: true },
      });
    });
    after(async () => {
      await instance?.close();
    });

    test("appends fail while it is away and succeed after its restart; every acknowledged batch is in InfluxDB once", async () => {
      const devices = Array.from({ length: 12 }, (_, i) => `c${i}`);
      const batches = 60;
      // Like the gateway: each round commits every device's next unacknowledged batch; a refused one is sent again.
      const next = new Map(devices.map((deviceId) => [deviceId, 1]));
      let refused = 0;
      let rounds = 0;
      const stream = (async () => {
        while ([...next.values()].some((seq) => seq <= batches)) {
          const group = devices.filter((deviceId) => (next.get(deviceId) as number) <= batches).map((d) => batch(d, next.get(d) as number));
          try {
            await instance.store.append(group);
            for (const { deviceId, seq } of group) next.set(deviceId, seq + 1);
          } catch {
            refused++;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          rounds++;
        }
      })();
      await eventually(() => rounds >= 20, "20 rounds before the kill", 15_000);
      await engines.nats.kill();
      await eventually(() => refused >= 3, "appends refused while NATS is away", 15_000);
      await engines.nats.start();
      await stream;
      await eventually(async () => (await instance.drainer?.backlog())?.messages === 0, "the stream drained", 20_000);
      for (const deviceId of devices) assert.equal(await instance.store.countValues(deviceId), batches, `${deviceId}: every batch once`);
      assert.ok(refused >= 3);
    });
  });
});
