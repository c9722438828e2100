import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { requireBinary } from "./support/require-binary.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";

const requireOpenssl = (): string | false =>
  requireBinary("openssl", "apt-get install -y openssl", () => spawnSync("openssl", ["version"]).status === 0);

/** What `openssl s_client` saw of one handshake with the hub. */
interface Handshake {
  ok: boolean;
  output: string;
}

/**
 * One handshake with the real `openssl s_client`, asynchronously (the hub runs in this process).
 * `@SECLEVEL=0` makes the client willing to offer what the hub must refuse, so a refusal is the hub's.
 */
function handshake(port: number, args: string[]): Promise<Handshake> {
  return new Promise((resolve) => {
    const child = execFile(
      "openssl",
      ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "localhost", ...args],
      (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}\n${stderr}` }),
    );
    child.stdin?.end();
  });
}

/** The hub's alert in the client's output: the server refused the handshake (not the client). */
const REFUSED_BY_SERVER = /alert (handshake failure|protocol version|insufficient security)/;

function headersOf(url: string, ca?: Buffer): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      resolve(res.headers);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("TLS defaults: modern suites only, HSTS (openssl s_client against the hub)", { skip: requireOpenssl() }, () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-tls-hardening-"));
  let running: RunningHub;
  let port: number;
  let ca: Buffer;

  before(async () => {
    const files = selfSignedCertificate(dir);
    ca = readFileSync(files.certFile);
    running = await startHub({ tls: files });
    port = Number(new URL(running.url).port);
  });
  after(async () => {
    await running?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const refusals: [string, string[]][] = [
    ["TLS 1.2 without forward secrecy (AES128-SHA: RSA key exchange, CBC, SHA-1)", ["-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"]],
    ["TLS 1.2 with an ECDHE suite in CBC mode (ECDHE-RSA-AES128-SHA)", ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"]],
    ["TLS 1.1", ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]],
    ["TLS 1.2 with DHE (not in the default list)", ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"]],
  ];
  for (const [what, args] of refusals) {
    test(`${what} is refused`, async () => {
      const result = await handshake(port, args);
      assert.equal(result.ok, false, result.output);
      assert.match(result.output, REFUSED_BY_SERVER);
    });
  }

  test("TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256 is accepted", async () => {
    const result = await handshake(port, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
  });

  test("TLS 1.2 with every suite offered: the hub picks by its own order, an ECDHE AEAD suite", async () => {
    const result = await handshake(port, ["-tls1_2", "-cipher", "ALL:@SECLEVEL=0"]);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
  });

  test("TLS 1.3 is accepted", async () => {
    const result = await handshake(port, ["-tls1_3"]);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /TLSv1\.3/);
  });

  test("HTTPS answers carry Strict-Transport-Security for a year, without includeSubDomains", async () => {
    const headers = await headersOf(`${running.url}/healthz`, ca);
    assert.equal(headers["strict-transport-security"], "max-age=31536000");
    const api = await headersOf(`${running.url}/api/v1/devices`, ca);
    assert.equal(api["strict-transport-security"], "max-age=31536000", "on refusals (401) too");
  });

  test("plain HTTP carries no Strict-Transport-Security (a browser would ignore it, a proxy sends its own)", async () => {
    const plain = await startHub();
    try {
      const response = await fetch(`${plain.url}/healthz`);
      assert.equal(response.headers.get("strict-transport-security"), null);
    } finally {
      await plain.dispose();
    }
  });

  test("tls.minVersion TLSv1.3 refuses TLS 1.2; tls.hstsMaxAgeS 0 sends no header", async () => {
    const strict = await startHub({ tls: { ...selfSignedCertificate(dir), minVersion: "TLSv1.3", hstsMaxAgeS: 0 } });
    try {
      const strictPort = Number(new URL(strict.url).port);
      const old = await handshake(strictPort, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]);
      assert.equal(old.ok, false, old.output);
      assert.match(old.output, REFUSED_BY_SERVER);
      assert.equal((await handshake(strictPort, ["-tls1_3"])).ok, true);
      const headers = await headersOf(`${strict.url}/healthz`, readFileSync(join(dir, "cert.pem")));
      assert.equal(headers["strict-transport-security"], undefined);
    } finally {
      await strict.dispose();
    }
  });

  test("DHE-RSA AEAD suites added to tls.ciphers are served (for TLS stacks without ECDHE, such as Espruino's own mbedtls)", async () => {
    const ciphers = `${DEFAULT_CONFIG.tls.ciphers}:DHE-RSA-AES128-GCM-SHA256`;
    const widened = await startHub({ tls: { ...selfSignedCertificate(dir), ciphers } });
    try {
      const result = await handshake(Number(new URL(widened.url).port), ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"]);
      assert.equal(result.ok, true, result.output);
      assert.match(result.output, /Cipher is DHE-RSA-AES128-GCM-SHA256/);
    } finally {
      await widened.dispose();
    }
  });
});
