import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ESPRUINO_BUNDLE_BUDGET } from "../scripts/espruino/bundle.js";
import { resolveFlashSettings, TOKEN_ENV, TOKEN_FLAG_WARNING } from "../scripts/espruino/flash-settings.js";
import { checkBundle, formatViolations } from "../scripts/espruino/gate.js";

const packageDir = resolve(fileURLToPath(import.meta.url), "../../..");

describe("npm run flash", () => {
  test("--dry-run writes the bundle, offline: it passes the gate, fits 12 KB and holds no credential; --token warns", () => {
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
      assert.ok(result.stderr.includes(TOKEN_FLAG_WARNING), "--token still works, with a warning");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("--sleep --dry-run writes the deep-sleep bundle: HTTP and ESP32.deepSleep, no WebSocket, the same gate and budget", () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-flash-test-"));
    try {
      const out = join(dir, "upload.js");
      const npm = process.platform === "win32" ? "npm.cmd" : "npm";
      const args = ["run", "flash", "--", "--sleep", "--dry-run", "--out", out, "--url", "http://10.0.0.2:8080", "--device", "esp-9"];
      const result = spawnSync(npm, args, { cwd: packageDir, encoding: "utf8", timeout: 60_000 });
      assert.equal(result.status, 0, result.stderr + result.stdout);
      const upload = readFileSync(out, "utf8");
      assert.equal(formatViolations(checkBundle(upload)), "");
      assert.ok(Buffer.byteLength(upload, "latin1") <= ESPRUINO_BUNDLE_BUDGET);
      assert.match(upload, /deepSleep/);
      assert.match(upload, /require\("http"\)/);
      assert.doesNotMatch(upload, /Sec-WebSocket/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("without a port or credentials it refuses to upload and says what is missing", () => {
    const result = spawnSync(process.execPath, [join(packageDir, "dist/scripts/espruino/flash.js"), "--url", "ws://h:1"], {
      encoding: "utf8",
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /missing --port, --device/);
  });

  test("without a token, and no terminal to ask on, it refuses and names TELEHUB_DEVICE_TOKEN and the config file", () => {
    const args = ["--port", "/dev/null-port", "--url", "ws://h:1", "--device", "d-1"];
    const env = { ...process.env, [TOKEN_ENV]: "" };
    const result = spawnSync(process.execPath, [join(packageDir, "dist/scripts/espruino/flash.js"), ...args], { encoding: "utf8", env });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /missing the device token: set TELEHUB_DEVICE_TOKEN or put "token" in the --config file/);
  });
});

describe("the flasher's settings", () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-flash-settings-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "esp32.json");
  writeFileSync(config, JSON.stringify({ port: "/dev/ttyUSB1", url: "ws://10.0.0.2:8080", device: "esp-1", token: "from-file" }));

  test("the token comes from TELEHUB_DEVICE_TOKEN, without a warning", () => {
    const { settings, warnings } = resolveFlashSettings({ device: "esp-1" }, { [TOKEN_ENV]: "from-env" });
    assert.equal(settings.token, "from-env");
    assert.deepEqual(warnings, []);
  });

  test("the environment beats the config file; the command line beats both, with a warning", () => {
    assert.equal(resolveFlashSettings({ config }, { [TOKEN_ENV]: "from-env" }).settings.token, "from-env");
    assert.equal(resolveFlashSettings({ config }, {}).settings.token, "from-file");
    const flagged = resolveFlashSettings({ config, token: "from-flag", port: "/dev/ttyUSB0" }, { [TOKEN_ENV]: "from-env" });
    assert.deepEqual(flagged.settings, { port: "/dev/ttyUSB0", url: "ws://10.0.0.2:8080", device: "esp-1", token: "from-flag" });
    assert.deepEqual(flagged.warnings, [TOKEN_FLAG_WARNING]);
  });

  test("no token anywhere: none (the flasher asks on a terminal, refuses elsewhere)", () => {
    assert.equal(resolveFlashSettings({ device: "esp-1" }, {}).settings.token, undefined);
  });
});
