import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { API_ERRORS } from "../src/http/api-errors.js";
import { API_ROUTE_CASES } from "./support/http-routes.js";
import { errorOf, HttpTestHub } from "./support/http-test-hub.js";

/** hub/dist/test → the repository root. */
const API_DOC = fileURLToPath(new URL("../../../docs/api.md", import.meta.url));

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

describe("OpenAPI document, health probes and the error catalogue", () => {
  let t: HttpTestHub;

  before(async () => {
    t = await HttpTestHub.start();
  });

  after(() => t.close());

  it("describes every route, and no route the tests do not know", async () => {
    const response = await t.request("GET", "/api/v1/openapi.json", { key: null });
    assert.equal(response.statusCode, 200);
    const document = response.json() as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown> };
    };
    assert.match(document.openapi, /^3\./);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const known = API_ROUTE_CASES.map((route) => `${route.method} ${route.path}`);
    assert.deepEqual([...documented].sort(), [...known].sort());
    for (const route of API_ROUTE_CASES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      const success = Object.keys(operation.responses).filter((status) => status.startsWith("2"));
      assert.ok(success.length >= 1, `${route.method} ${route.path} documents its answer`);
      if (route.access === "public") assert.deepEqual(operation.security, [], `${route.path} is open`);
      else assert.ok(operation.responses["401"], `${route.method} ${route.path} documents 401`);
      if (route.path.includes("{id}")) assert.ok(operation.parameters?.some((p) => p.in === "path" && p.name === "id"));
      if (route.body !== undefined) assert.ok(operation.requestBody, `${route.method} ${route.path} documents its body`);
    }
    const list = document.paths["/api/v1/devices"]?.get as Operation;
    assert.deepEqual(list.parameters?.map((p) => p.name).sort(), [
      "connected",
      "firmware",
      "label",
      "limit",
      "model",
      "offset",
      "profileId",
      "q",
      "revoked",
      "sort",
      "state",
    ]);
    assert.ok(document.components.schemas.Device && document.components.schemas.ApiError && document.components.schemas.ApiKey);
  });

  it("liveness answers ok", async () => {
    const response = await t.request("GET", "/healthz", { key: null });
    assert.deepEqual([response.statusCode, response.json()], [200, { status: "ok" }]);
  });

  it("readiness answers 200 when both stores answer", async () => {
    const response = await t.request("GET", "/readyz", { key: null });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: "ready", checks: { telemetry: { status: "ok" }, metadata: { status: "ok" } } });
  });

  it("readiness answers 503 naming the failed check, and API reads of the store answer 503 TH_API_STORE_UNAVAILABLE", async () => {
    const broken = await HttpTestHub.start();
    try {
      await broken.createDevice("d-1");
      await broken.hub.telemetry.close();
      const response = await broken.request("GET", "/readyz", { key: null });
      assert.equal(response.statusCode, 503);
      const body = response.json();
      assert.equal(body.status, "unavailable");
      assert.equal(body.checks.telemetry.status, "failed");
      assert.equal(typeof body.checks.telemetry.error, "string");
      assert.deepEqual(body.checks.metadata, { status: "ok" });
      assert.deepEqual(errorOf(await broken.request("GET", "/api/v1/devices/d-1/latest")), {
        status: 503,
        code: "TH_API_STORE_UNAVAILABLE",
      });
    } finally {
      await broken.close();
    }
  });

  it("docs/api.md lists every catalogue code with its status", () => {
    const doc = readFileSync(API_DOC, "utf8");
    for (const [code, spec] of Object.entries(API_ERRORS)) {
      assert.match(
        doc,
        new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${spec.status}\\s*\\|`),
        `${code} (${spec.status}) is in docs/api.md's code table`,
      );
    }
  });

  it("every catalogue code has the TH_API_ prefix and an error status", () => {
    for (const [code, spec] of Object.entries(API_ERRORS)) {
      assert.match(code, /^TH_API_[A-Z_]+$/);
      assert.ok(spec.status >= 400 && spec.status < 600);
    }
  });
});
