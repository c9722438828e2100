import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { InfluxHttp } from "../src/storage/influx/influx-http.js";
import { SpoolFullError } from "../src/storage/influx/spool.js";
import type { TelemetryBatch } from "../src/storage/telemetry-store.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { eventually } from "./support/eventually.js";
import { influxSettings, openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

const batch = (deviceId: string, seq: number, count: number): TelemetryBatch => ({
  deviceId,
  seq,
  receivedAt: 1,
  readings: Array.from({ length: count }, (_, i) => ({ ts: seq * 10_000 + i, metrics: { v: i } })),
});

describe("InfluxDB spool limits, retries and database creation (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await influxd?.remove();
  });

  test("a full spool refuses appends until InfluxDB has taken the backlog", async () => {
    const { store, metrics, dispose } = openInfluxStore(influxd, { spoolMaxBytes: 8_000 });
    try {
      await influxd.stop();
      await store.append([batch("full", 1, 100)]);
      await assert.rejects(store.append([batch("full", 2, 100)]), SpoolFullError);
      assert.equal(await store.lastSequence("full"), 1, "the refused batch is not durable");
      await influxd.start();
      await eventually(async () => (await metrics.influxSpoolBytes.get()).values[0]?.value === 0, "the spool has drained", 10_000);
      assert.deepEqual(await store.append([batch("full", 2, 100)]), ["stored"]);
      assert.equal(await store.countValues("full"), 200);
    } finally {
      await store.close();
      dispose();
    }
  });

  test("on 1.x with createDatabase the hub creates the database and its retention policy", async () => {
    const { store, dispose } = openInfluxStore(influxd, {
      database: "created_by_hub",
      createDatabase: true,
      retentionPolicy: "a_week",
      retentionDuration: "7d",
    });
    try {
      // Within the policy's week: older points would be dropped by InfluxDB as beyond retention.
      const now = Date.now();
      await store.append([{ ...batch("rp", 1, 10), readings: batch("rp", 1, 10).readings.map((r, i) => ({ ...r, ts: now - i })) }]);
      assert.equal(await store.countValues("rp"), 10);
      const http = new InfluxHttp(influxSettings(influxd, { database: "created_by_hub" }));
      const [policies] = await http.query('SHOW RETENTION POLICIES ON "created_by_hub"');
      const week = policies?.[0]?.values.find((row) => row[0] === "a_week");
      assert.equal(week?.[1], "168h0m0s");
      assert.match(store.version ?? "", /^1\./);
    } finally {
      await store.close();
      dispose();
    }
  });
});

describe("InfluxDB write retries", () => {
  let server: Server;
  const attempts: number[] = [];
  const linesPerWrite: number[] = [];
  before(async () => {
    // Answers 503 with Retry-After: 1 twice, then takes the write.
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      if (request.url?.startsWith("/ping")) {
        response.writeHead(204, { "x-influxdb-version": "fake-1.0" }).end();
        return;
      }
      request.on("end", () => {
        attempts.push(Date.now());
        linesPerWrite.push(body.split("\n").length);
        if (attempts.length <= 2) response.writeHead(503, { "retry-after": "1" }).end("busy");
        else response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a 503 with Retry-After is retried no sooner than the server asked, and the data then delivered", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fake = {
      url,
      database: "x",
      version: "fake",
      stop: async () => {},
      kill: async () => {},
      start: async () => {},
      remove: async () => {},
    };
    const { store, metrics, dispose } = openInfluxStore(fake, { maxRetryDelayMs: 100, batchSize: 10 });
    try {
      await store.append([batch("retry", 1, 3)]);
      await eventually(async () => (await metrics.influxSpoolBatches.get()).values[0]?.value === 0, "the spool is drained", 10_000);
      assert.equal(attempts.length, 3);
      const [first, second, third] = attempts as [number, number, number];
      assert.ok(second - first >= 950, `second attempt after ${second - first} ms`);
      assert.ok(third - second >= 950, `third attempt after ${third - second} ms`);
      assert.equal((await metrics.influxWriteErrors.get()).values.find((v) => v.labels.status === "503")?.value, 2);
      // A spool entry larger than influx.batchSize goes out in writes of at most batchSize lines.
      await store.append([batch("retry", 2, 25)]);
      await eventually(async () => (await metrics.influxSpoolBatches.get()).values[0]?.value === 0, "the spool is drained", 10_000);
      assert.deepEqual(linesPerWrite.slice(3), [10, 10, 5]);
    } finally {
      await store.close();
      dispose();
    }
  });
});
