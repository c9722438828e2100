import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startHub } from "./support/hub-fixture.js";

const SERVER = fileURLToPath(new URL("../src/server.js", import.meta.url));

/** Run `telehub-hub` on `dataDir` until it exits (a refused start exits at once). */
function runHub(dataDir: string, env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [SERVER], {
    env: { ...process.env, TELEHUB_HOST: "127.0.0.1", TELEHUB_PORT: "0", TELEHUB_DATA_DIR: dataDir, TELEHUB_LOG_LEVEL: "silent", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

test("telehub-hub refuses what only shows once it opens its files in one line on stderr, exit 2, no stack trace", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-cli-"));
  try {
    const missingTls = runHub(dataDir, { TELEHUB_TLS_CERT_FILE: join(dataDir, "no.pem"), TELEHUB_TLS_KEY_FILE: join(dataDir, "no.key") });
    assert.equal(missingTls.status, 2, missingTls.stderr);
    assert.match(missingTls.stderr, /^telehub-hub: cannot read the TLS certificate or key/m);
    assert.doesNotMatch(missingTls.stderr, /\n\s+at /);

    // meta.db records the secrets key of its first start; another key is refused.
    const first = await startHub({ security: { secretsKey: Buffer.alloc(32, 1).toString("base64") } }, dataDir);
    await first.stop();
    const otherKey = runHub(dataDir, { TELEHUB_SECURITY_SECRETS_KEY: Buffer.alloc(32, 2).toString("base64") });
    assert.equal(otherKey.status, 2, otherKey.stderr);
    assert.match(otherKey.stderr, /^telehub-hub: meta\.db belongs with secrets key/m);
    assert.doesNotMatch(otherKey.stderr, /\n\s+at /);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
