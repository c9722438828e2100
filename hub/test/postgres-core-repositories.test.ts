import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { ConfigError, loadConfig } from "../src/config/load-config.js";
import { secretsKeyId } from "../src/security/secret-cipher.js";
import { DuplicateDeviceError } from "../src/storage/device-repository.js";
import { PgApiKeyRepository } from "../src/storage/postgres/pg-api-key-repository.js";
import { PgAuditLog } from "../src/storage/postgres/pg-audit-log.js";
import { PgDeviceRepository } from "../src/storage/postgres/pg-device-repository.js";
import { PgPreferenceRepository } from "../src/storage/postgres/pg-preference-repository.js";
import { openPgSecrets } from "../src/storage/postgres/pg-secrets.js";
import { PgSessionRepository } from "../src/storage/postgres/pg-session-repository.js";
import { PgUserRepository } from "../src/storage/postgres/pg-user-repository.js";
import { apiKeyRepositoryContract } from "./contracts/api-key-repository.contract.js";
import { auditLogContract } from "./contracts/audit-log.contract.js";
import { deviceRepositoryContract } from "./contracts/device-repository.contract.js";
import { preferenceRepositoryContract } from "./contracts/preference-repository.contract.js";
import { sessionRepositoryContract } from "./contracts/session-repository.contract.js";
import { userRepositoryContract } from "./contracts/user-repository.contract.js";
import { eventually } from "./support/eventually.js";
import { MigratedDatabases, requirePostgres } from "./support/postgres.js";

const dbs = new MigratedDatabases("core");
const silent = pino({ level: "silent" });

/** A configuration with its own secrets key (base64 of 32 random bytes). */
function withKey(key = randomBytes(32)): { config: ReturnType<typeof loadConfig>; keyId: string } {
  return { config: loadConfig({}, { dataDir: tmpdir(), security: { secretsKey: key.toString("base64") } }), keyId: secretsKeyId(key) };
}

describe("PostgreSQL core repositories", { skip: requirePostgres() }, () => {
  before(() => dbs.start());
  after(() => dbs.stop());

  const dispose = (): Promise<void> => dbs.closeAll();
  deviceRepositoryContract("PostgreSQL", { open: async () => new PgDeviceRepository((await dbs.create()).db), dispose });
  apiKeyRepositoryContract("PostgreSQL", {
    open: async () => {
      const { db } = await dbs.create();
      return { keys: new PgApiKeyRepository(db), users: new PgUserRepository(db) };
    },
    dispose,
  });
  userRepositoryContract("PostgreSQL", { open: async () => new PgUserRepository((await dbs.create()).db), dispose });
  sessionRepositoryContract("PostgreSQL", {
    open: async () => {
      const { db } = await dbs.create();
      return { sessions: new PgSessionRepository(db), users: new PgUserRepository(db) };
    },
    dispose,
  });
  preferenceRepositoryContract("PostgreSQL", { open: async () => new PgPreferenceRepository((await dbs.create()).db), dispose });
  auditLogContract("PostgreSQL", { open: async () => new PgAuditLog((await dbs.create()).db), dispose });

  describe("several instances writing at once", () => {
    after(dispose);

    test("two instances creating the same device id at once: one succeeds, the other gets DuplicateDeviceError", async () => {
      const { db, url } = await dbs.create();
      const instances = [new PgDeviceRepository(db), new PgDeviceRepository(dbs.connect(url))];
      for (let round = 0; round < 5; round++) {
        const id = `twin-${round}`;
        const outcomes = await Promise.allSettled(
          instances.map((devices, i) => devices.create({ id, name: `from ${i}`, tokenHash: `sha256:${i}`, labels: {}, at: 1_000 + round })),
        );
        const created = outcomes.filter((outcome) => outcome.status === "fulfilled");
        const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
        assert.equal(created.length, 1, `round ${round}: exactly one create succeeds`);
        assert.equal(refused.length, 1);
        assert.ok(refused[0] instanceof DuplicateDeviceError, `round ${round}: ${String(refused[0])}`);
        const stored = await instances[0]?.get(id);
        assert.equal(stored?.name, (created[0] as PromiseFulfilledResult<{ name: string }>).value.name);
      }
    });
  });

  describe("the secrets key recorded in PostgreSQL", () => {
    after(dispose);

    test("the first start records its key; a start with another key is refused as meta.db refuses it; the same key starts again", async () => {
      const { db } = await dbs.create();
      const first = withKey();
      const sealed = (await openPgSecrets(db, first.config, silent, () => 1_000)).sealValue("hunter2");
      const recorded = await db.query<{ id: string; recorded_at: number }>("SELECT id, recorded_at FROM secret_keys");
      assert.deepEqual(recorded.rows, [{ id: first.keyId, recorded_at: 1_000 }]);
      await assert.rejects(
        openPgSecrets(db, withKey().config, silent, () => 2_000),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, new RegExp(`^the cluster's PostgreSQL database belongs with secrets key ${first.keyId}`));
          assert.match(error.message, /every instance needs the same key/);
          return true;
        },
      );
      assert.equal((await openPgSecrets(db, first.config, silent, () => 3_000)).openValue(sealed), "hunter2");
      assert.equal((await db.query("SELECT id FROM secret_keys")).rowCount, 1);
    });

    test("instances starting together with different keys: one records its key, the others are refused", async () => {
      const { db, url } = await dbs.create();
      const instances = [dbs.connect(url), dbs.connect(url), dbs.connect(url)];
      const starts = instances.map((instance) => ({ instance, ...withKey() }));
      // The table held against writes while all three start: each has read it empty and waits to
      // record its key (or, with the lock, waits to read it under the lock) when it is let go.
      let running: Promise<PromiseSettledResult<unknown>[]> | undefined;
      await db.transaction(async (tx) => {
        await tx.query("LOCK TABLE secret_keys IN SHARE MODE");
        running = Promise.allSettled(starts.map(({ instance, config }) => openPgSecrets(instance, config, silent, () => 1_000)));
        await eventually(
          async () => {
            const { rows } = await db.query<{ waiting: number }>(
              "SELECT COUNT(*) AS waiting FROM pg_locks WHERE relation = 'secret_keys'::regclass AND NOT granted",
            );
            return rows[0]?.waiting === starts.length;
          },
          "all three starts wait on the table",
          30_000,
        );
      });
      const outcomes = await (running as Promise<PromiseSettledResult<unknown>[]>);
      const started = outcomes.flatMap((outcome, i) => (outcome.status === "fulfilled" ? [starts[i]?.keyId] : []));
      assert.equal(started.length, 1, "exactly one start succeeds");
      for (const outcome of outcomes)
        if (outcome.status === "rejected") assert.ok(outcome.reason instanceof ConfigError, String(outcome.reason));
      const recorded = await db.query<{ id: string }>("SELECT id FROM secret_keys");
      assert.deepEqual(recorded.rows, [{ id: started[0] }]);
    });
  });
});
