import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildApp, type Hub } from "../src/app.js";
import type { HubConfigInput } from "../src/config/hub-config.js";
import { loadConfig } from "../src/config/load-config.js";
import { API_ERRORS, type ApiErrorCode } from "../src/http/api-errors.js";
import { generateSecret, hashSecret } from "../src/security/secrets.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { damagedPayload, fuzzedContentType, randomJsonValue } from "./support/fuzz-inputs.js";
import { API_ROUTE_CASES } from "./support/http-routes.js";
import { influxSettings } from "./support/influx-store.js";
import { pick, prng, type Random } from "./support/prng.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { requireInfluxd } from "./support/require-binary.js";

const SEED = Number(process.env.TELEHUB_FUZZ_SEED ?? 20261206);
/** Requests per store; each store's run takes a few seconds per thousand. */
const REQUESTS = Number(process.env.TELEHUB_ROUTE_FUZZ_REQUESTS ?? 1_500);
const DASHBOARD_FIXTURE = fileURLToPath(new URL("../../test/fixtures/dashboard", import.meta.url));

/** The device the fuzzed routes find, with one number, one boolean and one string metric stored. */
const DEVICE = "fz-1";
const METRICS = ["temp", "on", "mode"];
const READING_TS = 1_700_000_000_000;

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  required?: string[];
  properties?: Record<string, Schema>;
};

interface Param {
  name: string;
  schema: Schema;
  required: boolean;
}

/** One operation of the OpenAPI document: what the fuzzer varies. */
interface RouteSpec {
  method: string;
  path: string;
  pathParams: Param[];
  query: Param[];
  body: Schema | undefined;
}

/**
 * Operations whose answer is a stream that stays open (the SSE live channel): `inject()` would
 * wait for its end. Its query is checked by the live channel's own tests.
 */
const STREAMING = new Set(["GET /api/v1/live"]);

function routesOf(document: {
  paths: Record<
    string,
    Record<string, { parameters?: (Param & { in: string })[]; requestBody?: { content: Record<string, { schema: Schema }> } }>
  >;
}): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (STREAMING.has(`${method.toUpperCase()} ${path}`)) continue;
      const parameters = operation.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === "path"),
        query: parameters.filter((p) => p.in === "query"),
        body: operation.requestBody?.content["application/json"]?.schema,
      });
    }
  }
  return routes;
}

/** Text a hostile client puts where a name, a number or an id belongs. */
const HOSTILE_TEXT = [
  "",
  " ",
  "\n",
  "temp\n",
  "temp\nDROP DATABASE telehub",
  'temp" OR 1=1 --',
  "temp' OR '1'='1",
  "te\\mp",
  "temp)",
  "time > 0",
  "*",
  "/",
  "..",
  "../../etc/passwd",
  "%",
  "\u0000",
  "\ud800",
  "🙂",
  "<script>",
  "x".repeat(300),
  "y".repeat(5_000),
  "-1",
  "0",
  "1.5",
  "1e400",
  "-1e400",
  "NaN",
  "Infinity",
  "0x10",
  "9".repeat(30),
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854",
  "9223372036855",
  "8640000000000000",
  "8640000000000001",
  "true",
  "null",
  "[]",
  "{}",
];

function validText(random: Random, param: Param, route: RouteSpec): string {
  const { name, schema } = param;
  if (schema.enum) return String(pick(random, schema.enum));
  if (name === "metric") return pick(random, [...METRICS, "unknown_metric", "a/b.c-d_e"]);
  if (name === "id" && route.path.startsWith("/api/v1/devices")) {
    // Deleting the fuzzed device would leave the telemetry routes nothing to query.
    return pick(random, route.method === "DELETE" ? ["fz-2", "nope-1"] : [DEVICE, DEVICE, "fz-2", "nope-1"]);
  }
  if (schema.pattern === "^[0-9a-f]{16}$") return Array.from({ length: 16 }, () => pick(random, [..."0123456789abcdef"])).join("");
  if (name === "from" || name === "to") {
    // The edges: InfluxDB's last millisecond (2262), one past it, and JS Dates' last.
    return String(pick(random, [0, READING_TS - 1_000, READING_TS + 1_000, 9_223_372_036_854, 9_223_372_036_855, 8_640_000_000_000_000]));
  }
  if (name === "state") return pick(random, ["queued", "sent,failed"]);
  if (name === "topics") return "presence:*";
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "integer" || type === "number") {
    const low = schema.minimum ?? 0;
    const high = Math.min(schema.maximum ?? 2 ** 40, low + 2 ** 42);
    return String(pick(random, [low, high, Math.floor(low + random() * (high - low)), READING_TS, READING_TS + 1_000]));
  }
  if (type === "boolean") return pick(random, ["true", "false"]);
  return pick(random, ["fz-1", "a", "demo", "x_y"]);
}

function paramText(random: Random, param: Param, route: RouteSpec): string {
  return random() < 0.55 ? validText(random, param, route) : pick(random, HOSTILE_TEXT);
}

/** Percent-encoded; a lone surrogate (which `encodeURIComponent` refuses) becomes its invalid UTF-8 bytes. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return "%ED%A0%80";
  }
}

function urlOf(random: Random, route: RouteSpec): string {
  let path = route.path;
  for (const param of route.pathParams) path = path.replace(`{${param.name}}`, encode(paramText(random, param, route)));
  const pairs: string[] = [];
  for (const param of route.query) {
    if (random() > (param.required || param.name === "from" || param.name === "to" ? 0.9 : 0.5)) continue;
    const repeat = random() < 0.05 ? 2 : 1;
    for (let i = 0; i < repeat; i++) pairs.push(`${param.name}=${encode(paramText(random, param, route))}`);
  }
  if (random() < 0.05) pairs.push(`${pick(random, ["__proto__", "constructor", "unknown"])}=1`);
  if (random() < 0.03) pairs.push(pick(random, ["%", "%zz", "a=%E0%A4%A", "&&&", "="]));
  return pairs.length === 0 ? path : `${path}?${pairs.join("&")}`;
}

/** A body the schema accepts, without knowing the route: its required properties, each a plausible value. */
function bodyFromSchema(random: Random, schema: Schema, route: RouteSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const property = schema.properties?.[name] ?? {};
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    if (type === "object") body[name] = {};
    else if (type === "array") body[name] = [];
    else if (type === "boolean") body[name] = true;
    else if (type === "integer" || type === "number")
      body[name] = Number(validText(random, { name, schema: property, required: true }, route));
    else body[name] = property.enum ? pick(random, property.enum) : `fuzz${Math.floor(random() * 1e6)}`;
  }
  return body;
}

const DEEP = "\u0000deep\u0000";

/** Nesting `depth` deep, as text (JSON.stringify would overflow the stack on the deepest). */
function deepText(random: Random): string {
  const depth = pick(random, [32, 33, 64, 1_000, 10_000, 200_000]);
  if (random() < 0.5) return `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const key = pick(random, ["a", "__proto__", "constructor"]);
  return `${`{"${key}":`.repeat(depth)}1${"}".repeat(depth)}`;
}

function bodyOf(random: Random, route: RouteSpec): { payload: string; contentType: string | undefined } | undefined {
  if (!route.body && random() < 0.9) return undefined;
  const known = API_ROUTE_CASES.find((c) => c.method === route.method && c.path === route.path)?.body;
  const body: Record<string, unknown> =
    known !== undefined && random() < 0.7
      ? structuredClone(known as Record<string, unknown>)
      : bodyFromSchema(random, route.body ?? {}, route);
  const keys = [...Object.keys(body), ...Object.keys(route.body?.properties ?? {})];
  for (let i = Math.floor(random() * 3); i > 0; i--) {
    const key = keys.length > 0 ? pick(random, keys) : "extra";
    switch (Math.floor(random() * 5)) {
      case 0:
        delete body[key];
        break;
      case 1:
        body[key] = randomJsonValue(random, HOSTILE_TEXT);
        break;
      case 2:
        body[pick(random, ["extra", "__proto__", "constructor", "role", "id"])] = randomJsonValue(random, HOSTILE_TEXT);
        break;
      case 3:
        body[key] = DEEP;
        break;
      default:
        body[key] = { [pick(random, ["a", "wifiPassword"])]: DEEP };
    }
  }
  const payload = JSON.stringify(body).replaceAll(JSON.stringify(DEEP), () => deepText(random));
  return { payload: damagedPayload(random, payload, [deepText(random)]), contentType: fuzzedContentType(random) };
}

/** A hub listening on loopback with the fuzzed device's three metrics stored. */
async function fuzzedHub(overrides: HubConfigInput, dataDir: string): Promise<Hub> {
  const config = loadConfig(
    {},
    {
      host: "127.0.0.1",
      port: 0,
      logLevel: "silent",
      dataDir,
      adminKey: TEST_ADMIN_KEY,
      ingest: { maxPastMs: 0 },
      // `?wait=` must not hold the run for the default 30 s.
      commands: { maxWaitMs: 5 },
      dashboard: { dir: DASHBOARD_FIXTURE },
      ...overrides,
    },
  );
  const hub = await buildApp(config);
  const url = await hub.listen();
  const token = generateSecret();
  for (const id of [DEVICE, "fz-2"]) {
    await hub.devices.create({ id, name: id, tokenHash: hashSecret(token), labels: { site: "north" }, at: Date.now() });
  }
  const device = await RawDevice.connect(url.replace(/^http/, "ws"), { deviceId: DEVICE, token });
  if (isRefusal(device)) assert.fail(`the fuzzed device was refused: ${JSON.stringify(device)}`);
  await device.hello();
  device.send({ t: "batch", seq: 1, r: [{ ts: READING_TS, m: { temp: 21.5, on: true, mode: "eco" } }] });
  await device.next("ack");
  device.ws.close();
  return hub;
}

async function fuzz(hub: Hub, seed: number): Promise<void> {
  const random = prng(seed);
  const document = (await hub.http.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
  const routes = routesOf(document);
  assert.ok(routes.length >= 30, `the OpenAPI document lists the routes (${routes.length})`);
  const outcomes = new Map<string, number>();
  const seen = new Set<string>();
  for (let i = 0; i < REQUESTS; i++) {
    const route = routes[i % routes.length] as RouteSpec;
    seen.add(`${route.method} ${route.path}`);
    const url = urlOf(random, route);
    const body = bodyOf(random, route);
    const key = random() < 0.97 ? TEST_ADMIN_KEY : pick(random, ["", "thk_0123456789abcdef_nope", "\n"]);
    const response = await hub.http.inject({
      method: route.method as "GET",
      url,
      headers: {
        ...(key === "" ? {} : { authorization: `Bearer ${key}` }),
        ...(body?.contentType ? { "content-type": body.contentType } : {}),
      },
      ...(body && { payload: body.payload }),
    });
    const status = response.statusCode;
    const what = `request ${i} (seed ${seed}): ${route.method} ${url.slice(0, 200)} ${body?.payload.slice(0, 120) ?? ""}`;
    assert.ok(status < 500, `${what} → ${status} ${response.body.slice(0, 300)}`);
    let outcome = String(status);
    if (status >= 400) {
      const code = (JSON.parse(response.body) as { error?: { code?: string } }).error?.code as ApiErrorCode | undefined;
      assert.ok(code && code in API_ERRORS, `${what} → ${status} without a catalogue code: ${response.body.slice(0, 200)}`);
      assert.equal(API_ERRORS[code].status, status, `${what}: ${code} comes with its documented status`);
      outcome = `${status} ${code}`;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const summary = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
  process.stdout.write(`# ${REQUESTS} requests over ${seen.size} routes (seed ${seed}): ${summary.join(", ")}\n`);
  assert.equal(seen.size, routes.length, "every route was fuzzed");
  assert.ok((outcomes.get("200") ?? 0) > 0, "some requests stayed valid and were served");
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype was polluted");
  const latest = await hub.http.inject({
    method: "GET",
    url: `/api/v1/devices/${DEVICE}/latest`,
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
  });
  assert.equal(latest.statusCode, 200, "the API still answers afterwards");
}

describe(`every route fuzzed (${REQUESTS} requests per store): only catalogue 4xx codes, never a 5xx`, () => {
  const scratch = mkdtempSync(join(tmpdir(), "telehub-route-fuzz-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("embedded store", async () => {
    const hub = await fuzzedHub({}, join(scratch, "sqlite"));
    try {
      await fuzz(hub, SEED);
    } finally {
      await hub.close();
    }
  });

  describe("InfluxDB store (private influxd)", { skip: requireInfluxd() }, () => {
    let influxd: PrivateInfluxd;
    before(async () => {
      influxd = await startInfluxd();
    });
    after(async () => {
      await influxd?.remove();
    });

    test("InfluxDB store: InfluxQL never sees a value the schema did not check", async () => {
      const hub = await fuzzedHub({ storage: { telemetry: "influxdb" }, influx: influxSettings(influxd) }, join(scratch, "influx"));
      try {
        await fuzz(hub, SEED + 1);
      } finally {
        await hub.close();
      }
    });
  });
});
