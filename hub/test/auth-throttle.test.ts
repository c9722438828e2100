import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
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

test("a key that keeps failing from one address gets 429 TH_API_THROTTLED with Retry-After; the good key beside it is still served", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 3, authBlockMs: 60_000 } });
  try {
    const bad = `thk_${"0".repeat(16)}_${"x".repeat(40)}`;
    for (let i = 0; i < 3; i++) assert.equal((await callApi(running.hub, "GET", "/api/v1/devices", undefined, bad)).status, 401);
    // Anonymous and malformed attempts are their own identity: 30 of them lock out nobody else.
    for (let i = 0; i < 30; i++)
      assert.equal((await running.hub.http.inject({ method: "GET", url: "/api/v1/devices" })).statusCode, i < 3 ? 401 : 429);
    const throttled = await callApi(running.hub, "GET", "/api/v1/devices", undefined, bad);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error.code, "TH_API_THROTTLED");
    const badAgain = await running.hub.http.inject({ method: "GET", url: "/api/v1/devices", headers: { authorization: `Bearer ${bad}` } });
    assert.ok(Number(badAgain.headers["retry-after"]) > 0 && Number(badAgain.headers["retry-after"]) <= 60);
    assert.equal((await callApi(running.hub, "GET", "/api/v1/devices")).status, 200, "the admin key from the same address");
    const elsewhere = await running.hub.http.inject({
      method: "GET",
      url: "/api/v1/devices",
      headers: { authorization: `Bearer ${bad}` },
      remoteAddress: "127.0.0.2",
    });
    assert.equal(elsewhere.statusCode, 401, "the bad key from another address is checked (and refused), not throttled");
  } finally {
    await running.dispose();
  }
});

test("a success does not reset another identity's failures: wrong keys and wrong tokens interleaved with successes are still throttled", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 10, authBlockMs: 60_000 } });
  try {
    const token = await running.provision("good");
    await running.provision("victim");
    const wrongKey = `thk_${"1".repeat(16)}_${"y".repeat(40)}`;
    const statuses: number[] = [];
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await callApi(running.hub, "GET", "/api/v1/devices", undefined, wrongKey)).status);
      assert.equal((await callApi(running.hub, "GET", "/api/v1/devices")).status, 200);
      const refusal = await RawDevice.connect(running.wsUrl, { deviceId: "victim", token: "wrong-token" });
      codes.push(isRefusal(refusal) ? refusal.code : "connected");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "good", token });
      assert.ok(!isRefusal(device), "the good device connects every time");
      device.ws.terminate();
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    assert.deepEqual(codes, [...Array(10).fill("TH_AUTH_INVALID"), "TH_AUTH_THROTTLED", "TH_AUTH_THROTTLED"]);
  } finally {
    await running.dispose();
  }
});

test("devices and API clients are counted apart: an address spraying one side is still served on the other", async () => {
  const limits = { adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 3, authFailuresPerAddressPerMinute: 3 } };
  const bad = `thk_${"2".repeat(16)}_${"z".repeat(40)}`;
  const apiSide = await startHub(limits);
  try {
    const token = await apiSide.provision("plant");
    for (let i = 0; i < 3; i++) await callApi(apiSide.hub, "GET", "/api/v1/devices", undefined, `${bad.slice(0, -1)}${i}`);
    assert.equal(
      (await callApi(apiSide.hub, "GET", "/api/v1/devices")).status,
      429,
      "the address sprayed keys: a key it never proved waits",
    );
    const device = await RawDevice.connect(apiSide.wsUrl, { deviceId: "plant", token });
    assert.ok(!isRefusal(device), "a device from the same address is not refused for the API's failures");
    device.ws.terminate();
  } finally {
    await apiSide.dispose();
  }
  const deviceSide = await startHub(limits);
  try {
    const token = await deviceSide.provision("plant");
    for (let i = 0; i < 3; i++) await RawDevice.connect(deviceSide.wsUrl, { deviceId: `ghost-${i}`, token: "nope" });
    const device = await RawDevice.connect(deviceSide.wsUrl, { deviceId: "plant", token });
    assert.ok(isRefusal(device) && device.code === "TH_AUTH_THROTTLED", "the address sprayed device ids: a device it never proved waits");
    assert.equal((await callApi(deviceSide.hub, "GET", "/api/v1/devices")).status, 200, "the API is not refused for the devices' failures");
  } finally {
    await deviceSide.dispose();
  }
});

test("an address that sprays many identities is refused for new ones, while identities that authenticated from it go on working", async () => {
  const running = await startHub({
    adminKey: TEST_ADMIN_KEY,
    security: { authFailuresPerMinute: 30, authFailuresPerAddressPerMinute: 20 },
  });
  try {
    const token = await running.provision("known");
    const knownDevice = await RawDevice.connect(running.wsUrl, { deviceId: "known", token });
    assert.ok(!isRefusal(knownDevice));
    knownDevice.ws.terminate();
    const newToken = await running.provision("newcomer");
    for (let i = 0; i < 20; i++) {
      const refusal = await RawDevice.connect(running.wsUrl, { deviceId: `spray-${i}`, token: "guess" });
      assert.ok(isRefusal(refusal) && refusal.code === "TH_AUTH_INVALID");
    }
    const sprayed = await RawDevice.connect(running.wsUrl, { deviceId: "spray-99", token: "guess" });
    assert.ok(isRefusal(sprayed) && sprayed.code === "TH_AUTH_THROTTLED");
    const again = await RawDevice.connect(running.wsUrl, { deviceId: "known", token });
    assert.ok(!isRefusal(again), "a device that authenticated from this address before is still served");
    again.ws.terminate();
    const newcomer = await RawDevice.connect(running.wsUrl, { deviceId: "newcomer", token: newToken });
    assert.ok(isRefusal(newcomer) && newcomer.code === "TH_AUTH_THROTTLED", "an unproved device from the spraying address waits");
  } finally {
    await running.dispose();
  }
});

for (const trusted of [true, false]) {
  test(`trustProxy ${trusted ? "names the proxy: its X-Forwarded-For and Forwarded give the client" : "is empty: a spoofed X-Forwarded-For changes nothing"}`, async () => {
    const running = await startHub({
      adminKey: TEST_ADMIN_KEY,
      security: { authFailuresPerMinute: 3, trustProxy: trusted ? "127.0.0.0/8, ::1" : "" },
    });
    try {
      await running.provision("door");
      const via = (client: string, header: "x-forwarded-for" | "forwarded" = "x-forwarded-for") => ({
        headers: { [header]: header === "forwarded" ? `for="${client}";proto=https` : `203.0.113.9, ${client}` },
      });
      for (let i = 0; i < 3; i++) await RawDevice.connect(running.wsUrl, { deviceId: "door", token: "guess" }, via("10.0.0.1"));
      const sameClient = await RawDevice.connect(running.wsUrl, { deviceId: "door", token: "guess" }, via("10.0.0.1", "forwarded"));
      const otherClient = await RawDevice.connect(running.wsUrl, { deviceId: "door", token: "guess" }, via("10.0.0.2"));
      assert.ok(isRefusal(sameClient) && isRefusal(otherClient));
      assert.equal(sameClient.code, "TH_AUTH_THROTTLED");
      assert.equal(otherClient.code, trusted ? "TH_AUTH_INVALID" : "TH_AUTH_THROTTLED");

      const bad = `thk_${"3".repeat(16)}_${"w".repeat(40)}`;
      const api = (client: string) =>
        running.hub.http.inject({
          method: "GET",
          url: "/api/v1/devices",
          headers: { authorization: `Bearer ${bad}`, "x-forwarded-for": client },
        });
      for (let i = 0; i < 3; i++) assert.equal((await api("10.0.0.1")).statusCode, 401);
      assert.equal((await api("10.0.0.1")).statusCode, 429);
      assert.equal((await api("10.0.0.2")).statusCode, trusted ? 401 : 429);
    } finally {
      await running.dispose();
    }
  });
}

test("failed keys on the live WebSocket count with the API's: after them the key is throttled on the API too", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 3 } });
  try {
    const bad = `thk_${"4".repeat(16)}_${"v".repeat(40)}`;
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        await new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(`${running.wsUrl}/v1/live`, ["telehub.live.v1", `bearer.${bad}`]);
          ws.once("unexpected-response", (_req, res) => {
            // The API's codes, in the header and the body, like every other API answer.
            let body = "";
            res.on("data", (chunk: Buffer) => {
              body += chunk.toString();
            });
            res.on("end", () => {
              resolve(
                `${res.statusCode} ${res.headers["x-telehub-error"]} ${(JSON.parse(body) as { error: { code: string } }).error.code}`,
              );
              ws.terminate();
            });
          });
          ws.once("open", () => reject(new Error("a bad key opened the live channel")));
          ws.on("error", () => {});
        }),
      );
    }
    assert.deepEqual(answers, [...Array(3).fill("401 TH_API_UNAUTHORIZED TH_API_UNAUTHORIZED"), "429 TH_API_THROTTLED TH_API_THROTTLED"]);
    assert.equal((await callApi(running.hub, "GET", "/api/v1/live?topics=presence:*", undefined, bad)).status, 429);
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
