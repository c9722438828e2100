import assert from "node:assert/strict";
import { test } from "node:test";
import { API_ERRORS, type ApiErrorCode } from "../src/http/api-errors.js";
import { damagedPayload, fuzzedContentType, randomJsonValue } from "./support/fuzz-inputs.js";
import { HttpTestHub } from "./support/http-test-hub.js";
import { pick, prng, type Random } from "./support/prng.js";

const SEED = Number(process.env.TELEHUB_FUZZ_SEED ?? 20261125);
const REQUESTS = Number(process.env.TELEHUB_API_FUZZ_REQUESTS ?? 4_000);

/** A valid body for one of the command and configuration routes. */
function validBody(random: Random, route: string): Record<string, unknown> {
  const command = { name: pick(random, ["reboot", "set_setpoint", "ping"]), args: { celsius: 21 }, ttlMs: 60_000, timeoutMs: 5_000 };
  if (route === "bulk")
    return random() < 0.5 ? { ...command, devices: ["fz-1", "nope"] } : { ...command, selector: { labels: { site: "north" } } };
  if (route === "config") return { document: { interval_s: 30, led: true } };
  return random() < 0.3 ? { ...command, idempotencyKey: `k${Math.floor(random() * 50)}` } : command;
}

const DEEP = "\u0000deep\u0000";

/** The valid body changed the way a confused or hostile client would. */
function mutatedBody(random: Random, route: string): { payload: string; contentType: string | undefined } {
  const body: Record<string, unknown> = validBody(random, route);
  const keys = Object.keys(body);
  const mutations = 1 + Math.floor(random() * 3);
  for (let i = 0; i < mutations; i++) {
    switch (Math.floor(random() * 6)) {
      case 0:
        delete body[pick(random, keys)];
        break;
      case 1:
        body[pick(random, keys)] = randomJsonValue(random);
        break;
      case 2:
        body[pick(random, ["extra", "__proto__", "constructor", "status", "deviceId", "id"])] = randomJsonValue(random);
        break;
      case 3:
        body.args = DEEP;
        break;
      case 4:
        body.args = { big: "z".repeat(pick(random, [16_000, 17_000, 2_000_000])) };
        break;
      default:
        break;
    }
  }
  // Nesting 5,000 deep is spliced in as text: JSON.stringify itself would overflow the stack.
  const payload = JSON.stringify(body).replace(JSON.stringify(DEEP), `${"[".repeat(5_000)}${"]".repeat(5_000)}`);
  return { payload: damagedPayload(random, payload), contentType: fuzzedContentType(random) };
}

const ROUTES = {
  send: { method: "POST", url: "/api/v1/devices/fz-1/commands" },
  bulk: { method: "POST", url: "/api/v1/commands/bulk" },
  config: { method: "PUT", url: "/api/v1/devices/fz-1/config" },
} as const;

test(`command push API fuzzing: ${REQUESTS} mutated JSON bodies (seed ${SEED}) → only documented 4xx codes, no 500, the API keeps working`, async () => {
  const running = await HttpTestHub.start();
  try {
    await running.createDevice("fz-1", { labels: { site: "north" } });
    await running.createDevice("fz-2");
    const random = prng(SEED);
    const statuses = new Map<string, number>();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < REQUESTS; i++) {
      const route = pick(random, ["send", "send", "bulk", "config"] as const);
      const { payload, contentType } = mutatedBody(random, route);
      const { method, url } = ROUTES[route];
      const query = route === "send" && random() < 0.05 ? `?wait=${pick(random, ["1", "-1", "abc", "99999999999"])}` : "";
      const response = await running.hub.http.inject({
        method,
        url: url + query,
        payload,
        headers: { authorization: `Bearer ${running.adminKey}`, ...(contentType ? { "content-type": contentType } : {}) },
      });
      const status = response.statusCode;
      let outcome = String(status);
      if (status >= 400) {
        const code = (response.json() as { error?: { code?: string } }).error?.code as ApiErrorCode | undefined;
        assert.ok(
          code && code in API_ERRORS,
          `request ${i} (${route}): ${status} without a catalogue code: ${response.body.slice(0, 200)}`,
        );
        assert.equal(API_ERRORS[code].status, status, `request ${i}: ${code} comes with its documented status`);
        outcome = `${status} ${code}`;
      }
      assert.ok(status < 500, `request ${i} (${route}, ${payload.slice(0, 120)}): ${status} ${response.body.slice(0, 300)}`);
      statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
    }
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
    const summary = [...statuses].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
    process.stdout.write(`# ${REQUESTS} requests: ${summary.join(", ")}; heap ${heapGrowthMb.toFixed(1)} MB\n`);
    assert.ok((statuses.get("201") ?? 0) + (statuses.get("200") ?? 0) > 0, "some mutations stayed valid and were accepted");
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype was polluted");
    assert.ok(heapGrowthMb < 200, `heap grew ${heapGrowthMb.toFixed(1)} MB`);
    const after = await running.request("POST", "/api/v1/devices/fz-2/commands", { body: { name: "ping", args: {} } });
    assert.equal(after.statusCode, 201, "a valid command is still accepted afterwards");
    assert.equal((await running.request("GET", "/healthz", { key: null })).statusCode, 200);
  } finally {
    await running.close();
  }
});
