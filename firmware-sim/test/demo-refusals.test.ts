import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const DEMO = fileURLToPath(new URL("../src/demo.js", import.meta.url));

it("npm start refuses a setting that shows only when the hub opens its files (unreadable TLS files) in one line, exit 2", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-demo-refusal-"));
  try {
    const result = spawnSync(process.execPath, [DEMO], {
      env: {
        ...process.env,
        TELEHUB_PORT: "0",
        TELEHUB_DATA_DIR: dataDir,
        TELEHUB_TLS_CERT_FILE: join(dataDir, "no.pem"),
        TELEHUB_TLS_KEY_FILE: join(dataDir, "no.key"),
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^telehub: cannot read the TLS certificate or key/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
