import assert from "node:assert/strict";
import { test } from "node:test";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

test("an address that keeps failing device authentication is refused with 429 TH_AUTH_THROTTLED, even with the right token", async () => {
  const running = await startHub({ security: { authFailuresPerMinute: 5, authBlockMs: 60_000 } });
  try {
    const token = await running.provision("guarded");
    for (let i = 0; i < 5; i++) {
      const refusal = await RawDevice.connect(running.wsUrl, { deviceId: "guarded", token: `guess-${i}` });
      assert.ok(isRefusal(refusal) && refusal.code === "TH_AUTH_INVALID");
    }
    const blocked = await RawDevice.connect(running.wsUrl, { deviceId: "guarded", token });
    assert.ok(isRefusal(blocked));
    assert.deepEqual([blocked.status, blocked.code], [429, "TH_AUTH_THROTTLED"]);
    assert.ok(Number(blocked.retryAfter) > 0 && Number(blocked.retryAfter) <= 60);
  } finally {
    await running.dispose();
  }
});

test("an address that keeps presenting bad API keys gets 429 TH_API_THROTTLED with Retry-After; a good key from elsewhere is unaffected", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 3, authBlockMs: 60_000 } });
  try {
    const bad = `thk_${"0".repeat(16)}_${"x".repeat(40)}`;
    for (let i = 0; i < 3; i++) assert.equal((await callApi(running.hub, "GET", "/api/v1/devices", undefined, bad)).status, 401);
    const throttled = await running.hub.http.inject({
      method: "GET",
      url: "/api/v1/devices",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.json().error.code, "TH_API_THROTTLED");
    assert.ok(Number(throttled.headers["retry-after"]) > 0);
    const elsewhere = await running.hub.http.inject({
      method: "GET",
      url: "/api/v1/devices",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      remoteAddress: "127.0.0.2",
    });
    assert.equal(elsewhere.statusCode, 200);
  } finally {
    await running.dispose();
  }
});

test("every answer carries the security headers; API answers are not cacheable", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  try {
    const created = await running.hub.http.inject({
      method: "POST",
      url: "/api/v1/devices",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json" },
      payload: "{}",
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers["cache-control"], "no-store", "the answer holds a token shown once");
    for (const response of [created, await running.hub.http.inject({ method: "GET", url: "/healthz" })]) {
      assert.equal(response.headers["x-content-type-options"], "nosniff");
      assert.equal(response.headers["x-frame-options"], "DENY");
      assert.equal(response.headers["referrer-policy"], "no-referrer");
    }
  } finally {
    await running.dispose();
  }
});
