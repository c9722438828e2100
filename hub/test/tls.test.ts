import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
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

  test("a certificate without its key is a configuration error that names both variables", async () => {
    await assert.rejects(startHub({ tls: { certFile: join(dir, "cert.pem") } }), /TELEHUB_TLS_CERT_FILE, TELEHUB_TLS_KEY_FILE/);
  });
});
