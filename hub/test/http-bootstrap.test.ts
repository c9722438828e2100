import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateApiKey, parseApiKey } from "../src/http/api-key-format.js";
import { bootstrapAdminKey, INITIAL_ADMIN_KEY_NAME } from "../src/http/bootstrap-admin-key.js";
import { META_MIGRATIONS } from "../src/storage/sqlite/meta-migrations.js";
import { openDatabase } from "../src/storage/sqlite/open-database.js";
import { SqliteApiKeyRepository } from "../src/storage/sqlite/sqlite-api-key-repository.js";
import { HttpTestHub } from "./support/http-test-hub.js";

describe("admin key bootstrap", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "telehub-http-boot-"));
    dirs.push(dir);
    return dir;
  };

  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("generates an admin key at first start that works, and none on restart", async () => {
    const dataDir = tempDir();
    const first = await HttpTestHub.start({ dataDir });
    const key = first.adminKey;
    assert.ok(parseApiKey(key));
    const me = await first.request("GET", "/api/v1/me", { key });
    const body = me.json();
    assert.deepEqual([body.id, body.name, body.role, body.kind], [parseApiKey(key)?.id, INITIAL_ADMIN_KEY_NAME, "admin", "key"]);
    assert.equal(body.user.username, "admin", "the first key belongs to the first admin user");
    assert.ok(first.hub.generatedAdminPassword, "the first admin user's password is generated and shown once");
    await first.close();

    const second = await HttpTestHub.start({ dataDir });
    try {
      assert.equal(second.hub.generatedAdminKey, undefined);
      assert.equal(second.hub.generatedAdminPassword, undefined);
      assert.equal((await second.hub.apiKeys.list()).length, 1);
      assert.equal((await second.request("GET", "/api/v1/me", { key })).statusCode, 200, "the first key survives the restart");
    } finally {
      await second.close();
    }
  });

  it("stores a configured key as the admin key and prints none", async () => {
    const configured = generateApiKey().key;
    const t = await HttpTestHub.start({ dataDir: tempDir(), adminKey: configured });
    try {
      assert.equal(t.hub.generatedAdminKey, undefined);
      const me = await t.request("GET", "/api/v1/me", { key: configured });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().role, "admin");
      const record = await t.hub.apiKeys.get(parseApiKey(configured)?.id as string);
      assert.ok(record && !JSON.stringify(record).includes(parseApiKey(configured)?.secret as string));
    } finally {
      await t.close();
    }
  });

  it("rejects a configured key that is not in the key format, naming the format", async () => {
    // Against the repository directly: a hub whose build fails leaves its timers to the caller.
    const db = openDatabase(join(tempDir(), "meta.db"), META_MIGRATIONS);
    try {
      const apiKeys = new SqliteApiKeyRepository(db);
      const bad = [
        "not-a-key",
        "thk_0123456789abcdef_short",
        "thk_XYZ3456789abcdef_0123456789012345678901234567890123",
        "thk_0123456789abcde_0123456789012345678901234567890123",
      ];
      for (const key of bad) {
        await assert.rejects(
          bootstrapAdminKey(apiKeys, key, () => 1),
          (error: Error) => {
            assert.match(error.message, /thk_<16 lowercase hex characters>_<secret of at least 32 characters/);
            assert.ok(!error.message.includes(key), "the message does not repeat the secret");
            return true;
          },
        );
      }
      assert.equal(await apiKeys.countActive(), 0);
    } finally {
      db.close();
    }
  });

  it("ignores the configured key once keys exist", async () => {
    const dataDir = tempDir();
    const first = await HttpTestHub.start({ dataDir });
    const generated = first.adminKey;
    await first.close();
    const configured = generateApiKey().key;
    const second = await HttpTestHub.start({ dataDir, adminKey: configured });
    try {
      assert.equal((await second.request("GET", "/api/v1/me", { key: configured })).statusCode, 401);
      assert.equal((await second.request("GET", "/api/v1/me", { key: generated })).statusCode, 200);
    } finally {
      await second.close();
    }
  });
});
