import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import { createDevice } from "@telehub/device-client/espruino";
import { createEspruinoNetAdapter } from "@telehub/device-client/espruino/testing";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";

function httpsGet(url: string, ca?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("TLS: HTTPS and WSS on the hub's port", () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-tls-"));
  let running: RunningHub;
  let ca: Buffer;

  before(async () => {
    const files = selfSignedCertificate(dir);
    ca = readFileSync(files.certFile);
    running = await startHub({ tls: files });
  });
  after(async () => {
    await running.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the hub serves HTTPS; a client that trusts the certificate gets through, one that does not is refused", async () => {
    assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await httpsGet(`${running.url}/healthz`, ca), 200);
    await assert.rejects(httpsGet(`${running.url}/healthz`), /self-signed|self signed/);
  });

  test("a device streams over WSS when it is given the CA; without it the connection never opens", async () => {
    const token = await running.provision("secure-1");
    const trusting = new TelehubClient({ url: running.url, deviceId: "secure-1", token, wsOptions: { ca } });
    try {
      await trusting.connect();
      trusting.send({ sealed: 1 });
      await trusting.flush(5_000);
      assert.equal(await running.hub.telemetry.countValues("secure-1"), 1);
    } finally {
      await trusting.close();
    }
    const doubting = new TelehubClient({ url: running.url, deviceId: "secure-1", token, backoff: { initialMs: 20, maxMs: 50 } });
    const drops: string[] = [];
    doubting.on("disconnected", (e) => drops.push(e.reason));
    void doubting.connect().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(doubting.connected, false);
    assert.ok(drops.length > 0, "attempts fail");
    await doubting.close({ flush: false });
  });

  test("the Espruino client streams over wss:// through the adapter's tls, and is refused without the CA", async () => {
    const token = await running.provision("secure-esp");
    const url = running.url.replace(/^https:/, "wss:");
    const adapter = createEspruinoNetAdapter({ ca, chunkBytes: 7 });
    let last = 0;
    // One ms apart: readings of the same metric at the same ms are one point in storage.
    adapter.platform.now = () => (last = Math.max(Date.now(), last + 1));
    const events: string[] = [];
    const device = createDevice(adapter.platform, {
      url,
      deviceId: "secure-esp",
      token,
      metrics: ["temp"],
      batchReadings: 3,
      onEvent: (name) => events.push(name),
    });
    try {
      device.start();
      await eventually(() => device.connected(), "welcomed over TLS");
      for (let i = 0; i < 6; i++) device.add([20 + i]);
      await eventually(() => device.ring.length === 0, "acknowledged");
      assert.equal(await running.hub.telemetry.countValues("secure-esp"), 6);
      assert.equal(adapter.log.nonStringWrites, 0);
      assert.deepEqual(events.slice(0, 1), ["welcome"]);
    } finally {
      device.stop();
    }
    const untrusting = createEspruinoNetAdapter();
    const closes: unknown[] = [];
    const doubting = createDevice(untrusting.platform, {
      url,
      deviceId: "secure-esp",
      token,
      metrics: ["temp"],
      backoffBaseMs: 20,
      backoffCapMs: 50,
      onEvent: (name, code) => name === "close" && closes.push(code),
    });
    doubting.start();
    await eventually(() => closes.length >= 2, "TLS handshakes fail");
    doubting.stop();
    assert.equal(doubting.connected(), false);
    assert.ok(closes.every((code) => code === 1006));
  });

  test("a certificate without its key is a configuration error that names both variables", async () => {
    await assert.rejects(startHub({ tls: { certFile: join(dir, "cert.pem") } }), /TELEHUB_TLS_CERT_FILE, TELEHUB_TLS_KEY_FILE/);
  });
});
