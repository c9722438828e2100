import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { CommandRecord } from "../src/commands/command-record.js";
import { SecretCipher } from "../src/security/secret-cipher.js";
import { SecretFields } from "../src/security/secret-fields.js";
import { SecretMarking } from "../src/security/secret-marking.js";
import { AlarmAlreadyOpenError } from "../src/storage/alarm-repository.js";
import type { NotificationRepository } from "../src/storage/notification-repository.js";
import { PgAlarmRepository } from "../src/storage/postgres/pg-alarm-repository.js";
import { PgCommandStore } from "../src/storage/postgres/pg-command-store.js";
import type { PgDatabase } from "../src/storage/postgres/pg-database.js";
import { PgDesiredConfigStore } from "../src/storage/postgres/pg-desired-config-store.js";
import { PgDeviceRepository } from "../src/storage/postgres/pg-device-repository.js";
import { PgNotificationRepository } from "../src/storage/postgres/pg-notification-repository.js";
import { PgProfileRepository } from "../src/storage/postgres/pg-profile-repository.js";
import { ProfileInUseError } from "../src/storage/profile-repository.js";
import { alarmRepositoryContract, newAlarm } from "./contracts/alarm-repository.contract.js";
import { commandStoreContract } from "./contracts/command-store.contract.js";
import { desiredConfigStoreContract } from "./contracts/desired-config-store.contract.js";
import { CHANNELS, notificationRepositoryContract } from "./contracts/notification-repository.contract.js";
import { profileRepositoryContract } from "./contracts/profile-repository.contract.js";
import { secretForms } from "./support/at-rest.js";
import { MigratedDatabases, requirePostgres } from "./support/postgres.js";

const skip = requirePostgres();

/** The secret fields of a new key, with the default key pattern. */
const newSecrets = () => new SecretFields(new SecretMarking(), new SecretCipher(randomBytes(32)));

/** A contract's `readRaw` hook: every value of the rows `sql` selects for the key (`$1`), as stored, as text. */
const rawRows =
  (db: PgDatabase, sql: string) =>
  async (key: string): Promise<string> =>
    (await db.query(sql, [key])).rows.flatMap((row) => Object.values(row)).join("\n");

const dbs = new MigratedDatabases("operations");

/**
 * One database for a suite whose every test opens a fresh, empty repository: created for the
 * first, emptied for each after it (a few ms, where CREATE DATABASE takes 0.5 s on a loaded machine).
 */
function suiteDatabase(): { fresh(): Promise<{ db: PgDatabase; url: string }> } {
  let created: { db: PgDatabase; url: string } | undefined;
  return {
    async fresh() {
      if (created === undefined) {
        created = await dbs.create();
        return created;
      }
      const { rows } = await created.db.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
      );
      // As replica, the session skips reference checks: the tables are emptied in any order.
      await created.db.transaction((tx) =>
        tx.query(`SET LOCAL session_replication_role = replica; ${rows.map(({ tablename }) => `DELETE FROM "${tablename}";`).join(" ")}`),
      );
      return created;
    },
  };
}

describe("PostgreSQL operations repositories", { skip }, () => {
  before(() => dbs.start());
  after(() => dbs.stop());

  const dispose = (): Promise<void> => dbs.closeAll();
  const alarmsDb = suiteDatabase();
  alarmRepositoryContract("PostgreSQL", { open: async () => new PgAlarmRepository((await alarmsDb.fresh()).db, newSecrets()), dispose });

  const opened = new Map<NotificationRepository, { url: string; secrets: SecretFields }>();
  const notificationsDb = suiteDatabase();
  notificationRepositoryContract("PostgreSQL", {
    open: async () => {
      const { db, url } = await notificationsDb.fresh();
      const secrets = newSecrets();
      const repo = new PgNotificationRepository(db, secrets);
      opened.set(repo, { url, secrets });
      return repo;
    },
    reopen: async (previous) => {
      const { url, secrets } = opened.get(previous) as { url: string; secrets: SecretFields };
      // A new pool, as a restarted hub opens (the old one is closed with the suite's).
      const again = dbs.connect(url);
      const repo = new PgNotificationRepository(again, secrets);
      opened.set(repo, { url, secrets });
      return repo;
    },
    dispose,
  });

  commandStoreContract("PostgreSQL", {
    open: async () => {
      const { db } = await dbs.create();
      return { store: new PgCommandStore(db, newSecrets()), readRaw: rawRows(db, "SELECT * FROM commands WHERE id = $1") };
    },
    dispose,
  });

  profileRepositoryContract("PostgreSQL", {
    open: async () => {
      const { db } = await dbs.create();
      return {
        profiles: new PgProfileRepository(db, newSecrets()),
        devices: new PgDeviceRepository(db),
        readRaw: rawRows(
          db,
          "SELECT id, definition FROM profiles WHERE id = $1 UNION ALL SELECT profile_id, definition FROM profile_versions WHERE profile_id = $1",
        ),
      };
    },
    dispose,
  });

  desiredConfigStoreContract("PostgreSQL", {
    open: async () => {
      const { db } = await dbs.create();
      return {
        store: new PgDesiredConfigStore(db, newSecrets()),
        readRaw: rawRows(db, "SELECT * FROM device_config WHERE device_id = $1"),
      };
    },
    dispose,
  });

  describe("several instances at once", () => {
    const suite = suiteDatabase();
    after(dispose);

    test("two instances raising the same (rule, device) at once: one alarm, the other gets AlarmAlreadyOpenError", async () => {
      const { db, url } = await suite.fresh();
      const secrets = newSecrets();
      const instances = [new PgAlarmRepository(db, secrets), new PgAlarmRepository(dbs.connect(url), secrets)];
      const results = await whileHeld(url, "LOCK TABLE alarm_transitions IN EXCLUSIVE MODE", 2, () =>
        instances.map((repo) => repo.raise(newAlarm("rule_a", "boiler-1", 1_000))),
      );
      assert.equal(results.filter((result) => result.status === "fulfilled").length, 1, "one raise succeeds");
      const refused = results.find((result) => result.status === "rejected");
      assert.ok(refused?.reason instanceof AlarmAlreadyOpenError, String(refused?.reason));
      const alarms = await instances[0]?.listAlarms({ limit: 10, offset: 0 });
      assert.equal(alarms?.total, 1, "one alarm stored");
      assert.equal((await instances[1]?.transitions(alarms?.items[0]?.id as string))?.length, 1, "with its one raised transition");
    });

    test("two instances moving one command from sent at once: one moves it, the other finds it moved", async () => {
      const { db, url } = await suite.fresh();
      const secrets = newSecrets();
      const instances = [new PgCommandStore(db, secrets), new PgCommandStore(dbs.connect(url), secrets)];
      const [first, second] = instances as [PgCommandStore, PgCommandStore];
      const command = await first.create(newCommand("cmd-1"));
      await first.transition(command.id, ["queued"], { state: "sent", at: 1_100, attempt: true });
      const results = await whileHeld(url, `SELECT * FROM commands WHERE id = '${command.id}' FOR UPDATE`, 2, () => [
        first.transition(command.id, ["queued", "sent"], { state: "delivered", at: 1_200, deadline: 61_200 }),
        second.transition(command.id, ["queued", "sent"], { state: "expired", at: 1_300, deadline: null, eraseSecretArgs: command.args }),
      ]);
      const moved = results.map((result) => (result.status === "fulfilled" ? result.value : result.reason)) as (
        | CommandRecord
        | undefined
      )[];
      assert.equal(moved.filter((record) => record !== undefined).length, 1, "exactly one transition applies");
      const winner = moved.find((record) => record !== undefined) as CommandRecord;
      const stored = await second.get(command.id);
      assert.deepEqual(stored, winner);
      assert.deepEqual(
        stored?.transitions.map((step) => step.state),
        ["queued", "sent", winner.state],
        "one step recorded after sent",
      );
    });

    test("deleting a profile while another instance is giving a device that profile: the delete waits for it and is refused", async () => {
      const { db, url } = await suite.fresh();
      const profiles = new PgProfileRepository(db, newSecrets());
      const definition = { id: "contested", name: "Contested", metrics: [], commands: [], layout: { charts: [] } };
      await profiles.create({ definition, builtIn: false, at: 1_000, by: null });
      await new PgDeviceRepository(db).create({
        id: "holder",
        name: "holder",
        tokenHash: "sha256:x",
        labels: {},
        profileId: null,
        at: 1_000,
      });
      const [deleted] = await whileHeld(url, "UPDATE devices SET profile_id = 'contested' WHERE id = 'holder'", 1, () => [
        profiles.delete("contested"),
      ]);
      assert.equal(deleted?.status, "rejected");
      assert.ok(deleted.reason instanceof ProfileInUseError, String(deleted.reason));
      assert.equal((await profiles.get("contested"))?.version, 1);
    });
  });

  describe("numbers meta.db takes as they come", () => {
    const suite = suiteDatabase();
    after(dispose);

    test("a version past 2^31 from a device or a URL, and list bounds past 2^63, answer as on SQLite", async () => {
      const { db } = await suite.fresh();
      const secrets = newSecrets();
      const config = new PgDesiredConfigStore(db, secrets);
      await config.set("boiler-1", { interval: 10 }, 1_000, null);
      assert.equal((await config.report("boiler-1", 2 ** 40, null, 2_000))?.reportedVersion, 2 ** 40);
      assert.equal(await new PgProfileRepository(db, secrets).version("sensor", 2 ** 40), undefined);
      const commands = new PgCommandStore(db, secrets);
      await commands.create(newCommand("cmd-1"));
      const all = await commands.list({ limit: 10, offset: 0, order: "asc", from: -1e20, to: 1e20 });
      assert.deepEqual([all.total, (await commands.list({ limit: 10, offset: 0, order: "asc", from: 1e20 })).total], [1, 0]);
      const alarms = new PgAlarmRepository(db, secrets);
      await alarms.raise(newAlarm("rule_a", "boiler-1", 1_000));
      assert.equal((await alarms.listAlarms({ limit: 10, offset: 0, from: -1e20, to: 1e20 })).total, 1);
      assert.equal((await alarms.listAlarms({ limit: 10, offset: 0, to: -1e20 })).total, 0);
    });
  });

  describe("secret values at rest", () => {
    const suite = suiteDatabase();
    after(dispose);

    test("command args and results, desired configuration, profile defaults and channel secrets are not readable in any table", async () => {
      const { db } = await suite.fresh();
      const secrets = newSecrets();
      const commands = new PgCommandStore(db, secrets);
      const command = await commands.create({ ...newCommand("cmd-secret"), args: { ssid: "plant-wifi", password: "cmd-pass-5e1f" } });
      await commands.transition(command.id, ["queued"], { state: "succeeded", at: 2_000, result: { token: "result-token-77ab" } });
      const config = await new PgDesiredConfigStore(db, secrets).set("boiler-1", { interval: 10, api_key: "config-key-3d9c" }, 1_000, null);
      const profiles = new PgProfileRepository(db, secrets);
      const definition = { id: "sensor", name: "Sensor", metrics: [], commands: [], layout: { charts: [] } };
      await profiles.create({
        definition: { ...definition, defaultConfig: { psk: "profile-psk-a1b2" } },
        builtIn: false,
        at: 1_000,
        by: null,
      });
      await profiles.update("sensor", { definition: { ...definition, defaultConfig: { psk: "profile-psk-c3d4" } }, at: 2_000, by: null });
      const notifications = new PgNotificationRepository(db, secrets);
      for (const channel of Object.values(CHANNELS)) await notifications.createChannel(channel, 1_000, null);

      const texts = await everyText(db);
      const planted = [
        "cmd-pass-5e1f",
        "result-token-77ab",
        "config-key-3d9c",
        "profile-psk-a1b2",
        "profile-psk-c3d4",
        CHANNELS.email.settings.password,
        CHANNELS.webhook.settings.secret,
        CHANNELS.slack.settings.url,
      ];
      for (const secret of planted) for (const form of secretForms(secret)) assert.ok(!texts.includes(form), `the database holds ${form}`);
      assert.ok(texts.includes("plant-wifi") && texts.includes("mail.example.com"), "the other values stay plain");
      assert.match(texts, /"password":"thsec:v1:[0-9a-f]{16}:/, "a secret is an envelope with its key id");

      assert.deepEqual(
        (await commands.get(command.id))?.args,
        { ssid: "plant-wifi", password: "cmd-pass-5e1f" },
        "read back in plain text",
      );
      assert.deepEqual((await commands.get(command.id))?.result, { token: "result-token-77ab" });
      assert.deepEqual(config.document, { interval: 10, api_key: "config-key-3d9c" });
      assert.deepEqual((await profiles.version("sensor", 1))?.defaultConfig, { psk: "profile-psk-a1b2" });
      assert.deepEqual(
        (await notifications.allChannels()).map((channel) => channel.settings).sort(bySettings),
        [CHANNELS.email.settings, CHANNELS.slack.settings, CHANNELS.webhook.settings].sort(bySettings),
      );
    });
  });
});

const bySettings = (x: object, y: object) => JSON.stringify(x).localeCompare(JSON.stringify(y));

/** A command for device boiler-1 created at 1,000 ms. */
function newCommand(id: string) {
  return {
    id,
    deviceId: "boiler-1",
    name: "reboot",
    args: { password: "cmd-pass-0000" },
    createdAt: 1_000,
    expiresAt: 61_000,
    timeoutMs: 30_000,
    idempotencyKey: null,
    createdBy: "key:k1",
  };
}

/**
 * Runs `work` while another connection holds what `lock` takes (in an open transaction), until
 * `waiting` connections of the database wait for a lock; then lets go and settles what `work` started.
 * So the operations are in flight together, whatever the machine's speed.
 */
async function whileHeld<T>(url: string, lock: string, waiting: number, work: () => Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    await holder.query("BEGIN");
    await holder.query(lock);
    const started = work();
    let settled = false;
    void Promise.allSettled(started).then(() => {
      settled = true;
    });
    // Until they wait (or, should none need the lock, are done).
    while (!settled) {
      // Activity is read once per transaction unless its snapshot is cleared.
      await holder.query("SELECT pg_stat_clear_snapshot()");
      const { rows } = await holder.query<{ count: string }>(
        "SELECT COUNT(*) AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (Number(rows[0]?.count) >= waiting) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await holder.query("COMMIT");
    return await Promise.allSettled(started);
  } finally {
    await holder.end();
  }
}

/** Every text value of every table of the database, one per line. */
async function everyText(db: PgDatabase): Promise<string> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const texts: string[] = [];
  for (const { table_name } of tables) {
    for (const row of (await db.query(`SELECT * FROM "${table_name}"`)).rows) {
      for (const value of Object.values(row)) if (typeof value === "string") texts.push(value);
    }
  }
  return texts.join("\n");
}
