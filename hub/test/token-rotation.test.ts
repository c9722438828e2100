import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

async function connected(wsUrl: string, deviceId: string, token: string): Promise<RawDevice> {
  const device = await RawDevice.connect(wsUrl, { deviceId, token });
  if (isRefusal(device)) assert.fail(`refused: ${device.status} ${device.code}`);
  await device.hello();
  return device;
}

describe("token rotation with a grace period", () => {
  test("during graceMs both tokens connect and the live session stays; after it the old token is refused and its session closed", async () => {
    const running = await startHub({ adminKey: TEST_ADMIN_KEY });
    const devices: RawDevice[] = [];
    try {
      const oldToken = await running.provision("grace-1");
      const first = await connected(running.wsUrl, "grace-1", oldToken);
      devices.push(first);
      const rotated = await callApi(running.hub, "POST", "/api/v1/devices/grace-1/token", { graceMs: 1_500 });
      assert.equal(rotated.status, 200);
      const { token: newToken, previousTokenValidUntil } = rotated.body as { token: string; previousTokenValidUntil: number };
      assert.ok(Math.abs(previousTokenValidUntil - (Date.now() + 1_500)) < 1_000);
      first.send({ t: "batch", seq: 1, r: [{ ts: 1, m: { v: 1 } }] });
      await first.ackFor(1);
      // The old token still connects (the newest connection replaces the first)…
      const onOld = await connected(running.wsUrl, "grace-1", oldToken);
      devices.push(onOld);
      onOld.send({ t: "batch", seq: 2, r: [{ ts: 2, m: { v: 2 } }] });
      await onOld.ackFor(2);
      // …until the grace period ends: then its session is closed and the old token refused.
      assert.deepEqual(await onOld.closed(5_000), { code: 4403, reason: "TH_DEVICE_REVOKED" });
      assert.ok(Date.now() >= previousTokenValidUntil);
      const refused = await RawDevice.connect(running.wsUrl, { deviceId: "grace-1", token: oldToken });
      assert.ok(isRefusal(refused) && refused.status === 401 && refused.code === "TH_AUTH_INVALID");
      const onNew = await connected(running.wsUrl, "grace-1", newToken);
      devices.push(onNew);
      onNew.send({ t: "batch", seq: 3, r: [{ ts: 3, m: { v: 3 } }] });
      await onNew.ackFor(3);
      assert.equal(await running.hub.telemetry.countValues("grace-1"), 3);
    } finally {
      for (const device of devices) device.close();
      await running.dispose();
    }
  });

  test("graceMs is capped by security.maxTokenGraceMs; without it, or for a revoked device, the old token stops at once", async () => {
    const running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { maxTokenGraceMs: 60_000 } });
    const devices: RawDevice[] = [];
    try {
      const oldToken = await running.provision("grace-2");
      const tooLong = await callApi(running.hub, "POST", "/api/v1/devices/grace-2/token", { graceMs: 60_001 });
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.error.code, "TH_API_VALIDATION");
      assert.equal((await callApi(running.hub, "POST", "/api/v1/devices/grace-2/token", { graceMs: -1 })).status, 400);
      assert.equal((await callApi(running.hub, "POST", "/api/v1/devices/grace-2/token", { grace: 5 })).status, 400);

      const nullBody = await callApi(running.hub, "POST", "/api/v1/devices/grace-2/token", null);
      assert.equal(nullBody.body.previousTokenValidUntil, null, "a null body is no body");
      const refusedFirst = await RawDevice.connect(running.wsUrl, { deviceId: "grace-2", token: oldToken });
      assert.ok(isRefusal(refusedFirst) && refusedFirst.code === "TH_AUTH_INVALID");
      const currentToken = nullBody.body.token as string;

      const live = await connected(running.wsUrl, "grace-2", currentToken);
      devices.push(live);
      const atOnce = await callApi(running.hub, "POST", "/api/v1/devices/grace-2/token", {});
      assert.equal(atOnce.status, 200);
      assert.equal(atOnce.body.previousTokenValidUntil, null);
      assert.deepEqual(await live.closed(), { code: 4403, reason: "TH_DEVICE_REVOKED" });
      const refused = await RawDevice.connect(running.wsUrl, { deviceId: "grace-2", token: currentToken });
      assert.ok(isRefusal(refused) && refused.code === "TH_AUTH_INVALID");

      assert.equal((await callApi(running.hub, "POST", "/api/v1/devices/grace-2/revoke")).status, 200);
      const reinstated = await callApi(running.hub, "POST", "/api/v1/devices/grace-2/token", { graceMs: 60_000 });
      assert.equal(reinstated.status, 200);
      assert.equal(reinstated.body.previousTokenValidUntil, null, "a revoked device's token gets no grace");
      const stillRefused = await RawDevice.connect(running.wsUrl, { deviceId: "grace-2", token: atOnce.body.token });
      assert.ok(isRefusal(stillRefused) && stillRefused.code === "TH_AUTH_INVALID");
      devices.push(await connected(running.wsUrl, "grace-2", reinstated.body.token));
    } finally {
      for (const device of devices) device.close();
      await running.dispose();
    }
  });
});
