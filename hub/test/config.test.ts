import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { ConfigError, configKeys, envNameOf, loadConfig } from "../src/config/load-config.js";

const docs = readFileSync(fileURLToPath(new URL("../../../docs/configuration.md", import.meta.url)), "utf8");

describe("configuration", () => {
  test("with nothing set, the defaults apply", () => {
    assert.deepEqual(loadConfig({}), DEFAULT_CONFIG);
  });

  test("environment variables override defaults, with types converted", () => {
    const config = loadConfig({
      TELEHUB_PORT: "9000",
      TELEHUB_GATEWAY_HEARTBEAT_INTERVAL_MS: "30000",
      TELEHUB_API_PUBLIC_METRICS: "true",
      TELEHUB_LOG_LEVEL: "warn",
    });
    assert.equal(config.port, 9000);
    assert.equal(config.gateway.heartbeatIntervalMs, 30_000);
    assert.equal(config.api.publicMetrics, true);
    assert.equal(config.logLevel, "warn");
  });

  test("a JSON file named by TELEHUB_CONFIG applies, and the environment wins over it", () => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-config-"));
    try {
      const file = join(dir, "hub.json");
      writeFileSync(file, JSON.stringify({ port: 7000, limits: { maxReadingsPerBatch: 100 }, gateway: { maxDevices: 5 } }));
      const config = loadConfig({ TELEHUB_CONFIG: file, TELEHUB_GATEWAY_MAX_DEVICES: "7" });
      assert.equal(config.port, 7000);
      assert.equal(config.limits.maxReadingsPerBatch, 100);
      assert.equal(config.gateway.maxDevices, 7);
      writeFileSync(file, JSON.stringify({ gateway: { heartbeat: 1 } }));
      assert.throws(() => loadConfig({ TELEHUB_CONFIG: file }), /unknown key gateway\.heartbeat/);
      writeFileSync(file, "{ not json");
      assert.throws(() => loadConfig({ TELEHUB_CONFIG: file }), /cannot read it as JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad values are refused with a message naming the variable and what it takes", () => {
    const refused = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(
        () => loadConfig(env),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      );
    refused({ TELEHUB_PORT: "http" }, /TELEHUB_PORT: port must be a port number/);
    refused({ TELEHUB_PORT: "70000" }, /port number/);
    refused({ TELEHUB_LIMITS_MAX_FRAME_BYTES: "0" }, /positive integer/);
    refused({ TELEHUB_LIMITS_MAX_FRAME_BYTES: "1.5" }, /positive integer/);
    refused({ TELEHUB_LOG_LEVEL: "loud" }, /must be one of fatal, error/);
    refused({ TELEHUB_STORAGE_SQLITE_SYNCHRONOUS: "off" }, /full, normal/);
    refused({ TELEHUB_API_PUBLIC_METRICS: "yes" }, /true or false/);
  });

  test("every key is documented in docs/configuration.md with its variable and default", () => {
    for (const { path, defaultValue } of configKeys()) {
      const row = docs.split("\n").find((line) => line.startsWith(`| \`${path}\``));
      assert.ok(row, `docs/configuration.md has no row for ${path}`);
      assert.ok(row.includes(`\`${envNameOf(path)}\``), `${path}: variable ${envNameOf(path)} not shown`);
      // A \| in a table cell is a | (security.secretKeyPattern's default has several).
      const cells = row.replaceAll("\\|", "|");
      if (defaultValue !== "") assert.ok(cells.includes(`\`${defaultValue}\``), `${path}: default ${defaultValue} not shown`);
    }
  });
});

test("a hub that cannot be built (a malformed TELEHUB_ADMIN_KEY) fails with a clear error and leaves nothing running", async () => {
  const { buildApp } = await import("../src/app.js");
  const dir = mkdtempSync(join(tmpdir(), "telehub-badkey-"));
  try {
    const config = loadConfig({}, { dataDir: dir, logLevel: "silent", adminKey: "not-a-key" });
    await assert.rejects(buildApp(config), /thk_/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
