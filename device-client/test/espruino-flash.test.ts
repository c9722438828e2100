import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ESPRUINO_BUNDLE_BUDGET } from "../scripts/espruino/bundle.js";
import { checkBundle, formatViolations } from "../scripts/espruino/gate.js";

const packageDir = resolve(fileURLToPath(import.meta.url), "../../..");

describe("npm run flash", () => {
  test("--dry-run writes the exact upload, offline: it passes the gate, fits 12 KB and holds no credential", () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-flash-test-"));
    try {
      const out = join(dir, "upload.js");
      const npm = process.platform === "win32" ? "npm.cmd" : "npm";
      const args = ["run", "flash", "--", "--dry-run", "--out", out, "--url", "ws://10.0.0.2:8080", "--device", "esp-9"];
      const result = spawnSync(npm, [...args, "--token", "secret-token-xyz", "--ssid", "home", "--password", "wifi-pass"], {
        cwd: packageDir,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(result.status, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /--board .*ESP32\.json|Explicit board JSON supplied/);
      const upload = readFileSync(out, "utf8");
      assert.equal(formatViolations(checkBundle(upload)), "");
      const size = Buffer.byteLength(upload, "latin1");
      assert.ok(size <= ESPRUINO_BUNDLE_BUDGET, `the upload is ${size} bytes, over the ${ESPRUINO_BUNDLE_BUDGET}-byte budget`);
      for (const secret of ["secret-token-xyz", "wifi-pass", "esp-9", "10.0.0.2"]) assert.ok(!upload.includes(secret), secret);
      assert.match(upload, /telehub\.json/, "the code reads its credentials from Storage");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("without a port or credentials it refuses to upload and says what is missing", () => {
    const result = spawnSync(process.execPath, [join(packageDir, "dist/scripts/espruino/flash.js"), "--url", "ws://h:1"], {
      encoding: "utf8",
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /missing --port, --device, --token/);
  });
});
