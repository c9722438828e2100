import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpTestHub } from "./support/http-test-hub.js";

describe("API docs page (Swagger UI) and /docs", () => {
  let t: HttpTestHub;

  before(async () => {
    t = await HttpTestHub.start();
  });
  after(() => t.close());

  const get = (url: string) => t.request("GET", url, { key: null });

  it("GET /api/docs leads (redirect followed) to Swagger UI's page, whose script loads the OpenAPI document", async () => {
    for (const path of ["/api/docs", "/api/docs/"]) {
      let page = await get(path);
      for (let hops = 0; page.statusCode >= 300 && page.statusCode < 400 && hops < 3; hops++)
        page = await get(new URL(String(page.headers.location), `http://hub${path}`).pathname);
      assert.equal(page.statusCode, 200, path);
      assert.match(String(page.headers["content-type"]), /^text\/html/);
      assert.match(page.body, /<div id="swagger-ui">/);
    }
    const page = await get("/api/docs/");
    const initializer = page.body.match(/src="([^"]*swagger-initializer\.js)"/)?.[1];
    assert.ok(initializer, "the page loads swagger-initializer.js");
    const script = await get(new URL(initializer, "http://hub/api/docs/").pathname);
    assert.equal(script.statusCode, 200);
    assert.match(script.body, /url: resolveUrl\('\.\/json'\)/);
    // ./json (relative to /api/docs/) is the same document as /api/v1/openapi.json.
    const json = await get("/api/docs/json");
    assert.equal(json.statusCode, 200);
    assert.deepEqual(json.json(), (await get("/api/v1/openapi.json")).json());
    // Its own CSP: scripts from the hub only, and no upgrade-insecure-requests (a hub on plain HTTP).
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
    assert.equal((await get("/api/docs/static/swagger-ui-bundle.js")).statusCode, 200);
  });

  it("/docs and /docs/anything answer 404 JSON, not the dashboard; other page paths still get the dashboard", async () => {
    for (const path of ["/docs", "/docs/", "/docs/anything", "/docs/a/b?x=1"]) {
      const response = await get(path);
      assert.equal(response.statusCode, 404, path);
      assert.match(String(response.headers["content-type"]), /^application\/json/, path);
      assert.equal((response.json() as { error: { code: string } }).error.code, "TH_API_ROUTE_NOT_FOUND", path);
    }
    const page = await get("/devices/some-device");
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
  });
});
