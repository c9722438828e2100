import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfigError } from "../src/config/load-config.js";
import { parseCorsOrigins } from "../src/http/cors.js";
import { TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

const DASHBOARD = "https://dash.example.com";

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
  });
}

describe("CORS on the HTTP API", () => {
  test("off by default: no CORS headers, and a preflight is not answered", async () => {
    const running = await startHub({ adminKey: TEST_ADMIN_KEY });
    try {
      const answer = await fetch(`${running.url}/api/v1/devices`, {
        headers: { origin: DASHBOARD, authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("access-control-allow-origin"), null);
      const pre = await preflight(`${running.url}/api/v1/devices`, DASHBOARD);
      assert.notEqual(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), null);
    } finally {
      await running.dispose();
    }
  });

  describe("with api.corsOrigins", () => {
    let running: RunningHub;
    before(async () => {
      running = await startHub({ adminKey: TEST_ADMIN_KEY, api: { corsOrigins: `${DASHBOARD}, http://localhost:5173` } });
    });
    after(async () => {
      await running?.dispose();
    });

    test("a preflight from a listed origin is answered 204 without a key", async () => {
      const pre = await preflight(`${running.url}/api/v1/devices/pump-1/token`, DASHBOARD);
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), DASHBOARD);
      assert.match(pre.headers.get("access-control-allow-methods") ?? "", /\bPOST\b/);
      assert.match(pre.headers.get("access-control-allow-headers") ?? "", /Authorization/);
      assert.match(pre.headers.get("access-control-allow-headers") ?? "", /Content-Type/);
      assert.equal(pre.headers.get("access-control-allow-credentials"), null, "credentials are a header, not cookies");
      assert.match(pre.headers.get("vary") ?? "", /Origin/);
      const local = await preflight(`${running.url}/api/v1/devices`, "http://localhost:5173");
      assert.equal(local.headers.get("access-control-allow-origin"), "http://localhost:5173");
    });

    test("answers to a listed origin carry Access-Control-Allow-Origin, errors included", async () => {
      const ok = await fetch(`${running.url}/api/v1/devices`, {
        headers: { origin: DASHBOARD, authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("access-control-allow-origin"), DASHBOARD);
      assert.match(ok.headers.get("access-control-expose-headers") ?? "", /Retry-After/);
      const unauthorized = await fetch(`${running.url}/api/v1/devices`, { headers: { origin: DASHBOARD } });
      assert.equal(unauthorized.status, 401);
      assert.equal(unauthorized.headers.get("access-control-allow-origin"), DASHBOARD, "the page can read why it failed");
    });

    test("the live SSE stream carries it too", async () => {
      const abort = new AbortController();
      const live = await fetch(`${running.url}/api/v1/live?topics=presence:*`, {
        headers: { origin: DASHBOARD, authorization: `Bearer ${TEST_ADMIN_KEY}` },
        signal: abort.signal,
      });
      assert.equal(live.status, 200);
      assert.equal(live.headers.get("access-control-allow-origin"), DASHBOARD);
      abort.abort();
      await live.body?.cancel().catch(() => undefined);
    });

    test("other origins get no CORS headers, and their preflights are not answered", async () => {
      const other = await fetch(`${running.url}/api/v1/devices`, {
        headers: { origin: "https://evil.example", authorization: `Bearer ${TEST_ADMIN_KEY}` },
      });
      assert.equal(other.headers.get("access-control-allow-origin"), null);
      const pre = await preflight(`${running.url}/api/v1/devices`, "https://dash.example.com.evil.example");
      assert.notEqual(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), null);
    });
  });

  test("api.corsOrigins takes exact origins only", () => {
    assert.deepEqual(parseCorsOrigins(""), []);
    assert.deepEqual(parseCorsOrigins(" https://a.example ,http://b.example:8080"), ["https://a.example", "http://b.example:8080"]);
    for (const bad of ["*", "https://a.example/", "https://a.example/app", "a.example", "ftp://a.example"]) {
      assert.throws(() => parseCorsOrigins(bad), ConfigError, bad);
    }
  });
});
