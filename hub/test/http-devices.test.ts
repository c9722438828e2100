import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { verifySecret } from "../src/security/secrets.js";
import { errorOf, HttpTestHub, T0 } from "./support/http-test-hub.js";

interface DeviceJson {
  id: string;
  name: string;
  labels: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  revoked: boolean;
  revokedAt: number | null;
  connected: boolean;
  [field: string]: unknown;
}

describe("HTTP API devices", () => {
  let t: HttpTestHub;
  let operatorKey: string;

  before(async () => {
    t = await HttpTestHub.start();
    operatorKey = await t.createKey("operator");
  });

  after(() => t.close());

  it("creates a device, shows its token once and stores only its hash", async () => {
    const response = await t.request("POST", "/api/v1/devices", {
      key: operatorKey,
      body: { id: "pump-1", name: "Pump 1", labels: { site: "north" } },
    });
    assert.equal(response.statusCode, 201);
    const { device, token } = response.json() as { device: DeviceJson; token: string };
    assert.deepEqual(device, {
      id: "pump-1",
      name: "Pump 1",
      labels: { site: "north" },
      createdAt: T0,
      updatedAt: T0,
      lastSeenAt: null,
      connected: false,
      connectedAt: null,
      transport: null,
      firmware: null,
      model: null,
      attributes: {},
      clockSkewMs: null,
      clockSkewFlagged: false,
      revoked: false,
      revokedAt: null,
      profileId: null,
      reportedCommands: [],
    });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const record = await t.hub.devices.get("pump-1");
    assert.ok(record);
    assert.ok(!JSON.stringify(record).includes(token), "the stored record holds no plain token");
    assert.ok(verifySecret(token, record.tokenHash));

    const read = await t.request("GET", "/api/v1/devices/pump-1", { key: operatorKey });
    assert.equal(read.statusCode, 200);
    assert.ok(!read.body.includes(token));
    assert.ok(!("token" in read.json()) && !("tokenHash" in read.json()));
  });

  it("generates an id when none is given and uses it as the name", async () => {
    const response = await t.request("POST", "/api/v1/devices", { body: {} });
    assert.equal(response.statusCode, 201);
    const { device } = response.json() as { device: DeviceJson };
    assert.match(device.id, /^[0-9a-f]{16}$/);
    assert.equal(device.name, device.id);
  });

  it("refuses a duplicate id with 409 TH_API_CONFLICT", async () => {
    await t.createDevice("dup-1");
    assert.deepEqual(errorOf(await t.request("POST", "/api/v1/devices", { body: { id: "dup-1" } })), {
      status: 409,
      code: "TH_API_CONFLICT",
    });
  });

  it("refuses invalid input with 400 TH_API_VALIDATION", async () => {
    const invalid: { method: "POST" | "PATCH"; url: string; body: unknown }[] = [
      { method: "POST", url: "/api/v1/devices", body: { id: "-starts-with-dash" } },
      { method: "POST", url: "/api/v1/devices", body: { id: "has space" } },
      { method: "POST", url: "/api/v1/devices", body: { id: "x".repeat(65) } },
      { method: "POST", url: "/api/v1/devices", body: { id: "ok-id", name: "" } },
      { method: "POST", url: "/api/v1/devices", body: { id: "ok-id", labels: { "bad key": "v" } } },
      { method: "POST", url: "/api/v1/devices", body: { id: "ok-id", labels: { k: "v".repeat(257) } } },
      { method: "POST", url: "/api/v1/devices", body: { id: "ok-id", unexpected: true } },
      { method: "POST", url: "/api/v1/devices", body: [] },
      { method: "PATCH", url: "/api/v1/devices/pump-1", body: {} },
      { method: "PATCH", url: "/api/v1/devices/pump-1", body: { nmae: "typo" } },
    ];
    for (const request of invalid) {
      const response = await t.request(request.method, request.url, { body: request.body });
      assert.deepEqual(errorOf(response), { status: 400, code: "TH_API_VALIDATION" }, `${request.method} ${JSON.stringify(request.body)}`);
      assert.equal(typeof response.json().error.message, "string");
    }
    assert.equal(await t.hub.devices.get("ok-id"), undefined);
    const badId = await t.request("GET", "/api/v1/devices/bad%20id");
    assert.deepEqual(errorOf(badId), { status: 400, code: "TH_API_VALIDATION" });
  });

  it("refuses a body that is not JSON", async () => {
    const malformed = await t.request("POST", "/api/v1/devices", { body: "{not json", headers: { "content-type": "application/json" } });
    assert.deepEqual(errorOf(malformed), { status: 400, code: "TH_API_MALFORMED_BODY" });
    const xml = await t.request("POST", "/api/v1/devices", { body: "<device/>", headers: { "content-type": "application/xml" } });
    assert.deepEqual(errorOf(xml), { status: 415, code: "TH_API_UNSUPPORTED_MEDIA_TYPE" });
  });

  it("refuses a body over the limit with 413 TH_API_PAYLOAD_TOO_LARGE", async () => {
    const response = await t.request("POST", "/api/v1/devices", { body: { id: "big", name: "x".repeat(1_100_000) } });
    assert.deepEqual(errorOf(response), { status: 413, code: "TH_API_PAYLOAD_TOO_LARGE" });
  });

  it("answers 404 TH_API_NOT_FOUND for an unknown device on every device route", async () => {
    const requests: ["GET" | "PATCH" | "DELETE" | "POST", string, unknown?][] = [
      ["GET", "/api/v1/devices/nope"],
      ["PATCH", "/api/v1/devices/nope", { name: "x" }],
      ["DELETE", "/api/v1/devices/nope"],
      ["POST", "/api/v1/devices/nope/token"],
      ["POST", "/api/v1/devices/nope/revoke"],
      ["GET", "/api/v1/devices/nope/latest"],
      ["GET", "/api/v1/devices/nope/telemetry?metric=t"],
      ["GET", "/api/v1/devices/nope/telemetry/raw"],
    ];
    for (const [method, url, body] of requests) {
      assert.deepEqual(errorOf(await t.request(method, url, { body })), { status: 404, code: "TH_API_NOT_FOUND" }, `${method} ${url}`);
    }
  });

  it("renames a device and replaces its labels", async () => {
    await t.createDevice("patch-1", { labels: { a: "1", b: "2" } });
    t.nowMs = T0 + 5_000;
    const renamed = await t.request("PATCH", "/api/v1/devices/patch-1", { key: operatorKey, body: { name: "Renamed" } });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().name, "Renamed");
    assert.deepEqual(renamed.json().labels, { a: "1", b: "2" });
    assert.equal(renamed.json().updatedAt, T0 + 5_000);
    const relabelled = await t.request("PATCH", "/api/v1/devices/patch-1", { key: operatorKey, body: { labels: { c: "3" } } });
    assert.deepEqual(relabelled.json().labels, { c: "3" });
    assert.equal(relabelled.json().name, "Renamed");
    t.nowMs = T0;
  });

  it("deletes a device and its telemetry", async () => {
    await t.createDevice("del-1");
    await t.hub.telemetry.append([{ deviceId: "del-1", seq: 1, receivedAt: T0, readings: [{ ts: T0 - 10, metrics: { t: 1 } }] }]);
    assert.equal(await t.hub.telemetry.countValues("del-1"), 1);
    const response = await t.request("DELETE", "/api/v1/devices/del-1", { key: operatorKey });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, "");
    assert.equal(await t.hub.devices.get("del-1"), undefined);
    assert.equal(await t.hub.telemetry.countValues("del-1"), 0);
    assert.deepEqual(errorOf(await t.request("GET", "/api/v1/devices/del-1")), { status: 404, code: "TH_API_NOT_FOUND" });
  });

  it("revokes a device, and rotating its token reinstates it and voids the old token", async () => {
    const oldToken = await t.createDevice("rot-1");
    t.nowMs = T0 + 1_000;
    const revoked = await t.request("POST", "/api/v1/devices/rot-1/revoke", { key: operatorKey });
    assert.equal(revoked.statusCode, 200);
    assert.equal(revoked.json().revoked, true);
    assert.equal(revoked.json().revokedAt, T0 + 1_000);
    const again = await t.request("POST", "/api/v1/devices/rot-1/revoke", { key: operatorKey });
    assert.equal(again.json().revokedAt, T0 + 1_000, "revoking twice keeps the first time");

    const rotated = await t.request("POST", "/api/v1/devices/rot-1/token", { key: operatorKey });
    assert.equal(rotated.statusCode, 200);
    const { token } = rotated.json() as { token: string };
    assert.notEqual(token, oldToken);
    const record = await t.hub.devices.get("rot-1");
    assert.ok(record);
    assert.equal(record.revokedAt, null);
    assert.ok(verifySecret(token, record.tokenHash));
    assert.ok(!verifySecret(oldToken, record.tokenHash));
    assert.equal((await t.request("GET", "/api/v1/devices/rot-1")).json().revoked, false);
    t.nowMs = T0;
  });
});
