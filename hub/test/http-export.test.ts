import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import type { LightMyRequestResponse } from "fastify";
import { buildApp, type Hub } from "../src/app.js";
import type { HubConfig } from "../src/config/hub-config.js";
import { loadConfig } from "../src/config/load-config.js";
import { csvChunks, jsonChunks } from "../src/export/export-format.js";
import { exportPages } from "../src/export/export-pages.js";
import type { RawPoint, StoredReading, TelemetryStore } from "../src/storage/telemetry-store.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

const T0 = 1_700_000_000_000;
const FROM = T0 - 600_000;
/** Readings every 500 ms over ten minutes; `note` has commas, quotes and a line break now and then; some ms share readings. */
const READINGS: StoredReading[] = [];
for (let i = 0; i < 1_200; i++) {
  const metrics: StoredReading["metrics"] = { t: Math.round(Math.sin(i / 7) * 1000) / 10, on: i % 3 === 0 };
  if (i % 5 === 0) metrics.note = i % 10 === 0 ? `a, "b" ${i}` : `line\nbreak ${i}`;
  READINGS.push({ ts: FROM + i * 500, metrics });
}
const VALUES = READINGS.reduce((n, r) => n + Object.keys(r.metrics).length, 0);

/** RFC 4180 parsing (quoted fields, doubled quotes, line breaks inside quotes): csv-parse is not a dependency of the hub. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = "";
  };
  const endRow = (): void => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") endRow();
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length > 0) endRow();
  return rows;
}

/** A CSV cell as the raw point's value reads in it. */
const cellOf = (value: RawPoint["value"]): string => String(value);

interface ExportHub {
  hub: Hub;
  adminKey: string;
  get(url: string, key?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

async function startExportHub(api: Partial<HubConfig["api"]>, telemetry?: TelemetryStore): Promise<ExportHub> {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-export-"));
  const config = loadConfig({}, { dataDir, port: 0, host: "127.0.0.1", logLevel: "silent", adminKey: "", api });
  const hub = await buildApp(config, { now: () => T0, ...(telemetry ? { telemetry } : {}) });
  const adminKey = hub.generatedAdminKey as string;
  const get = (url: string, key = adminKey) => hub.http.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });
  const created = await hub.http.inject({
    method: "POST",
    url: "/api/v1/devices",
    headers: { authorization: `Bearer ${adminKey}` },
    payload: { id: "exp-1" },
  });
  assert.equal(created.statusCode, 201, created.body);
  const batches = [];
  for (let i = 0; i < READINGS.length; i += 100)
    batches.push({ deviceId: "exp-1", seq: batches.length + 1, receivedAt: T0, readings: READINGS.slice(i, i + 100) });
  await hub.telemetry.append(batches);
  return {
    hub,
    adminKey,
    get,
    close: async () => {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The same behaviour over each store. */
function exportBehaviour(name: string, open: () => Promise<{ store?: TelemetryStore; dispose?: () => Promise<void> }>): void {
  describe(`telemetry export (${name})`, () => {
    let t: ExportHub;
    let capped: ExportHub;
    let dispose: (() => Promise<void>) | undefined;
    const window = `from=${FROM}&to=${T0}`;

    before(async () => {
      const first = await open();
      t = await startExportHub({ maxRawPoints: 10_000 }, first.store);
      const second = await open();
      capped = await startExportHub({ maxRawPoints: 10_000, maxExportRows: 50 }, second.store);
      dispose = async () => {
        await first.dispose?.();
        await second.dispose?.();
      };
    });
    after(async () => {
      await t?.close();
      await capped?.close();
      await dispose?.();
    });

    async function raw(query: string): Promise<RawPoint[]> {
      const response = await t.get(`/api/v1/devices/exp-1/telemetry/raw?${query}`);
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json() as { data: RawPoint[]; truncated: boolean };
      assert.equal(body.truncated, false);
      return body.data;
    }

    it("JSON: the same points as /telemetry/raw for the window, with the frame and truncated: false", async () => {
      const response = await t.get(`/api/v1/devices/exp-1/telemetry/export?format=json&${window}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers["content-type"]), /^application\/json/);
      assert.equal(response.headers["content-disposition"], `attachment; filename="exp-1-${FROM}-${T0}.json"`);
      assert.equal(response.headers["x-telehub-export-rows"], String(VALUES));
      assert.equal(response.headers["x-telehub-export-truncated"], "false");
      const body = response.json() as { device: string; from: number; to: number; data: RawPoint[]; truncated: boolean };
      assert.deepEqual({ ...body, data: undefined }, { device: "exp-1", from: FROM, to: T0, data: undefined, truncated: false });
      assert.equal(body.data.length, VALUES);
      assert.deepEqual(body.data, await raw(window));
    });

    it("CSV: a header row, then time (ISO 8601 UTC, ms), metric, value in the raw order; commas, quotes and line breaks quoted", async () => {
      const response = await t.get(`/api/v1/devices/exp-1/telemetry/export?${window}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers["content-type"]), /^text\/csv/);
      assert.equal(response.headers["content-disposition"], `attachment; filename="exp-1-${FROM}-${T0}.csv"`);
      assert.equal(response.headers["x-telehub-export-truncated"], "false");
      const rows = parseCsv(response.body);
      assert.deepEqual(rows[0], ["time", "metric", "value"]);
      const expected = (await raw(window)).map((p) => [new Date(p.ts).toISOString(), p.metric, cellOf(p.value)]);
      assert.deepEqual(rows.slice(1), expected);
      assert.match(expected[0]?.[0] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The exact bytes of a quoted field: the value `a, "b" 0` and a boolean.
      assert.ok(response.body.includes(`${new Date(FROM).toISOString()},note,"a, ""b"" 0"\n`), "quoted string field");
      assert.ok(response.body.includes(`${new Date(FROM).toISOString()},on,true\n`), "booleans as true/false");
      assert.ok(response.body.includes(`${new Date(FROM + 500).toISOString()},on,false\n`), "booleans as true/false");
      assert.ok(response.body.includes(`"line\nbreak 5"`), "a line break inside quotes");
    });

    it("metric, repeated, selects metrics; a narrower window exports only its points", async () => {
      const from = FROM + 60_000;
      const to = FROM + 90_250;
      const response = await t.get(`/api/v1/devices/exp-1/telemetry/export?format=json&from=${from}&to=${to}&metric=on&metric=note`);
      const body = response.json() as { data: RawPoint[] };
      const all = await raw(`from=${from}&to=${to}`);
      assert.deepEqual(
        body.data,
        all.filter((p) => p.metric === "on" || p.metric === "note"),
      );
      assert.equal(response.headers["x-telehub-export-rows"], String(body.data.length));
      const one = (await t.get(`/api/v1/devices/exp-1/telemetry/export?format=json&from=${from}&to=${to}&metric=t`)).json() as {
        data: RawPoint[];
      };
      assert.deepEqual(one.data, await raw(`from=${from}&to=${to}&metric=t`));
    });

    it("past api.maxExportRows: the first N rows, headers say truncated, the CSV's last line is the marker, the JSON says truncated", async () => {
      const csv = await capped.get(`/api/v1/devices/exp-1/telemetry/export?${window}`);
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.headers["x-telehub-export-rows"], "50");
      assert.equal(csv.headers["x-telehub-export-truncated"], "true");
      const lines = csv.body.trimEnd().split("\n");
      assert.equal(lines.at(-1), "# truncated: more than 50 rows; narrow the range");
      const rows = parseCsv(csv.body).slice(1, -1);
      const first50 = (await raw(window)).slice(0, 50);
      assert.deepEqual(
        rows,
        first50.map((p) => [new Date(p.ts).toISOString(), p.metric, cellOf(p.value)]),
      );
      const json = await capped.get(`/api/v1/devices/exp-1/telemetry/export?format=json&${window}`);
      assert.equal(json.headers["x-telehub-export-truncated"], "true");
      const body = json.json() as { data: RawPoint[]; truncated: boolean };
      assert.equal(body.truncated, true);
      assert.deepEqual(body.data, first50);
      // Exactly N values is not truncated.
      const exact = await capped.get(
        `/api/v1/devices/exp-1/telemetry/export?format=json&from=${FROM}&to=${FROM + 500 * 25}&metric=t&metric=on`,
      );
      assert.equal(exact.headers["x-telehub-export-truncated"], "false");
      assert.equal((exact.json() as { data: unknown[] }).data.length, 50);
    });

    it("refusals: from ≥ to (TH_API_VALIDATION), an unknown device (404), no key (401); a viewer may export", async () => {
      const backwards = await t.get(`/api/v1/devices/exp-1/telemetry/export?from=${T0}&to=${T0}`);
      assert.equal(backwards.statusCode, 400);
      assert.equal((backwards.json() as { error: { code: string } }).error.code, "TH_API_VALIDATION");
      const format = await t.get(`/api/v1/devices/exp-1/telemetry/export?format=xml`);
      assert.equal(format.statusCode, 400);
      assert.equal((await t.get("/api/v1/devices/nobody/telemetry/export")).statusCode, 404);
      const anonymous = await t.hub.http.inject({ method: "GET", url: "/api/v1/devices/exp-1/telemetry/export" });
      assert.equal(anonymous.statusCode, 401);
      const created = await t.hub.http.inject({
        method: "POST",
        url: "/api/v1/api-keys",
        headers: { authorization: `Bearer ${t.adminKey}` },
        payload: { name: "viewer", role: "viewer" },
      });
      const viewer = (created.json() as { key: string }).key;
      const viewed = await t.get(`/api/v1/devices/exp-1/telemetry/export?format=json&${window}`, viewer);
      assert.equal(viewed.statusCode, 200);
    });

    it("pages: small pages and a millisecond with more values than a page give the raw points, in order, none twice", async () => {
      const store = t.hub.telemetry;
      const wide: StoredReading["metrics"] = {};
      for (let m = 0; m < 12; m++) wide[`w${String(m).padStart(2, "0")}`] = m;
      await store.append([
        { deviceId: "pages", seq: 1, receivedAt: T0, readings: [...READINGS.slice(0, 40), { ts: FROM + 100, metrics: wide }] },
      ]);
      const expected = await store.raw({ deviceId: "pages", from: FROM, to: T0, limit: 10_000 });
      // Each store read is bounded too: a page and one more value, or one millisecond's values.
      let largestRead = 0;
      const counting = Object.create(store) as TelemetryStore;
      counting.raw = async (query) => {
        const points = await store.raw(query);
        largestRead = Math.max(largestRead, points.length);
        return points;
      };
      for (const pageSize of [5, 7, 1_000]) {
        const pages: RawPoint[][] = [];
        largestRead = 0;
        for await (const page of exportPages(counting, { deviceId: "pages", from: FROM, to: T0 }, expected.length, pageSize))
          pages.push(page);
        assert.deepEqual(pages.flat(), expected, `page size ${pageSize}`);
        assert.ok(largestRead <= Math.max(pageSize + 1, 12), `page size ${pageSize}: a read of ${largestRead} values`);
        if (pageSize < 100)
          assert.ok(
            pages.every((page) => page.length <= Math.max(pageSize, 12)),
            "pages stay small",
          );
      }
      // The writers pull a page only when their output is read: two chunks read, at most two reads of the store.
      for (const writer of [csvChunks, jsonChunks]) {
        let reads = 0;
        const lazy = Object.create(store) as TelemetryStore;
        lazy.raw = async (query) => {
          reads++;
          return store.raw(query);
        };
        const frame = { deviceId: "pages", from: FROM, to: T0, truncated: false, maxRows: expected.length };
        const chunks = writer(exportPages(lazy, { deviceId: "pages", from: FROM, to: T0 }, expected.length, 5), frame);
        await chunks.next();
        await chunks.next();
        assert.ok(reads <= 2, `${writer.name}: ${reads} reads for two chunks`);
        await chunks.return(undefined);
      }
      const limited: RawPoint[] = [];
      for await (const page of exportPages(store, { deviceId: "pages", from: FROM, to: T0 }, 33, 5)) limited.push(...page);
      assert.deepEqual(limited, expected.slice(0, 33));
    });
  });
}

exportBehaviour("SQLite", async () => ({}));

describe("telemetry export over InfluxDB", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await influxd?.remove();
  });
  let database = 0;
  exportBehaviour("InfluxDB", async () => {
    // Each hub its own database, so the two hubs' devices do not meet.
    const { store, dispose } = openInfluxStore(influxd, { database: `export${++database}`, createDatabase: true });
    return { store, dispose: async () => dispose() };
  });
});

/** The heap, and memory outside it (buffers, strings handed to sockets), after a full collection. */
function heapAfterGc(): number {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

describe("telemetry export memory", () => {
  const POINTS = 200_000;
  let t: ExportHub;
  let url: string;

  before(async () => {
    t = await startExportHub({});
    const start = FROM - POINTS * 10;
    for (let i = 0; i < POINTS; i += 10_000) {
      const readings: StoredReading[] = [];
      for (let j = i; j < i + 10_000; j++) readings.push({ ts: start + j * 10, metrics: { value: j / 3 } });
      await t.hub.telemetry.append([{ deviceId: "exp-1", seq: 1_000 + i, receivedAt: T0, readings }]);
    }
    url = await t.hub.listen();
  });
  after(() => t?.close());

  it(`streams ${POINTS.toLocaleString("en")} points with back-pressure: the hub's heap stays bounded while the client reads slowly`, async () => {
    const baseline = heapAfterGc();
    const samples: number[] = [];
    const { bytes, lines } = await new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
      const request = httpRequest(
        `${url}/api/v1/devices/exp-1/telemetry/export?from=${FROM - POINTS * 10}&to=${FROM}`,
        { headers: { authorization: `Bearer ${t.adminKey}` } },
        (response) => {
          assert.equal(response.statusCode, 200);
          assert.equal(response.headers["x-telehub-export-rows"], String(POINTS));
          let bytes = 0;
          let lines = 0;
          let chunks = 0;
          response.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
            for (const byte of chunk) if (byte === 10) lines++;
            // Now and then the client stops reading for a moment: the hub must wait, not buffer the rest.
            if (++chunks % 10 === 0) {
              response.pause();
              setTimeout(() => {
                samples.push(heapAfterGc() - baseline);
                response.resume();
              }, 20);
            }
          });
          response.on("end", () => resolve({ bytes, lines }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end();
    });
    assert.equal(lines, POINTS + 1);
    const peak = Math.max(...samples);
    process.stdout.write(
      `# export of ${POINTS} points: ${(bytes / 1_048_576).toFixed(1)} MiB sent; growth of heap + external memory after GC while streaming: ` +
        `peak ${(peak / 1_048_576).toFixed(1)} MiB over ${samples.length} samples (baseline ${(baseline / 1_048_576).toFixed(1)} MiB)\n`,
    );
    assert.ok(samples.length >= 5, "the client paused several times");
    // The whole export as points in memory would be ~30 MiB and its text ~10 MiB: a page is ~5,000 points.
    assert.ok(peak < 8 * 1_048_576, `heap grew by ${(peak / 1_048_576).toFixed(1)} MiB while streaming`);
  });
});
