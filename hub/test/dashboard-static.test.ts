import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { buildApp, type Hub } from "../src/app.js";
import type { HubConfigInput } from "../src/config/hub-config.js";
import { loadConfig } from "../src/config/load-config.js";

async function hubWith(dashboard: HubConfigInput["dashboard"]): Promise<{ hub: Hub; dispose: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-dashboard-static-"));
  const hub = await buildApp(loadConfig({}, { dataDir, logLevel: "silent", ...(dashboard && { dashboard }) }));
  return {
    hub,
    async dispose() {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe("the hub serves the built dashboard", () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-dashboard-dist-"));
  let served: Awaited<ReturnType<typeof hubWith>>;

  before(async () => {
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Telehub</title><div id=root></div>");
    writeFileSync(join(dir, "assets", "index-AbC123.js"), "console.log('app')");
    writeFileSync(join(dir, "assets", "index-AbC123.js.gz"), gzipSync("console.log('app')"));
    served = await hubWith({ dir });
  });

  after(async () => {
    await served.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers / with index.html, never cached, with a CSP that allows only its own origin", async () => {
    const response = await served.hub.http.inject({ method: "GET", url: "/" });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /^text\/html/);
    assert.equal(response.headers["cache-control"], "no-cache");
    assert.match(response.headers["content-security-policy"] as string, /default-src 'self'.*connect-src 'self'/);
    assert.equal(response.headers["x-frame-options"], "DENY");
    assert.match(response.body, /<div id=root>/);
  });

  it("serves hashed assets as immutable for a year", async () => {
    const response = await served.hub.http.inject({ method: "GET", url: "/assets/index-AbC123.js" });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /javascript/);
    assert.match(response.headers["cache-control"] as string, /max-age=31536000.*immutable|immutable.*max-age=31536000/);
    assert.equal((await served.hub.http.inject({ method: "GET", url: "/assets/missing.js" })).statusCode, 404);
    const compressed = await served.hub.http.inject({
      method: "GET",
      url: "/assets/index-AbC123.js",
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(compressed.headers["content-encoding"], "gzip", "the build's .gz is served to a browser that accepts it");
    assert.equal(gunzipSync(compressed.rawPayload).toString(), "console.log('app')");
  });

  it("answers other page paths with index.html (the app routes in the browser), but never API, WebSocket or file paths", async () => {
    const page = await served.hub.http.inject({ method: "GET", url: "/devices/pump-1/show" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<div id=root>/);
    const unknownApi = await served.hub.http.inject({ method: "GET", url: "/api/v1/nothing-here" });
    assert.equal(unknownApi.statusCode, 401, "unknown API paths still need a key");
    for (const url of ["/api/v2/devices", "/v1/live", "/favicon.ico"]) {
      const response = await served.hub.http.inject({ method: "GET", url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().error.code, "TH_API_ROUTE_NOT_FOUND");
    }
  });

  it("without a build answers / with 503 and says to run npm run build", async () => {
    const missing = await hubWith({ dir: join(dir, "not-built") });
    try {
      const response = await missing.hub.http.inject({ method: "GET", url: "/" });
      assert.equal(response.statusCode, 503);
      assert.match(response.body, /npm run build/);
    } finally {
      await missing.dispose();
    }
  });

  it("serves no dashboard when dashboard.enabled is false", async () => {
    const off = await hubWith({ enabled: false, dir });
    try {
      assert.equal((await off.hub.http.inject({ method: "GET", url: "/" })).statusCode, 404);
      assert.equal((await off.hub.http.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    } finally {
      await off.dispose();
    }
  });
});
