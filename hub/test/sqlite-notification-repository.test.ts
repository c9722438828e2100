import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type Database from "better-sqlite3";
import { SecretCipher } from "../src/security/secret-cipher.js";
import { SecretFields } from "../src/security/secret-fields.js";
import { SecretMarking, UNREADABLE } from "../src/security/secret-marking.js";
import type { NotificationRepository } from "../src/storage/notification-repository.js";
import { SqliteNotificationRepository } from "../src/storage/sqlite/sqlite-notification-repository.js";
import { CHANNELS, notificationRepositoryContract } from "./contracts/notification-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();
const opened = new Map<NotificationRepository, { db: Database.Database; path: string; secrets: SecretFields }>();

notificationRepositoryContract("embedded SQLite", {
  open: async () => {
    const { db, path, secrets } = dbs.create();
    const repo = new SqliteNotificationRepository(db, secrets);
    opened.set(repo, { db, path, secrets });
    return repo;
  },
  reopen: async (previous) => {
    const { db, path, secrets } = opened.get(previous) as { db: Database.Database; path: string; secrets: SecretFields };
    const again = dbs.reopen(db, path);
    const repo = new SqliteNotificationRepository(again, secrets);
    opened.set(repo, { db: again, path, secrets });
    return repo;
  },
  dispose: async () => dbs.dispose(),
});

/** Each secret as it could sit in a file: plain, base64, base64url, hex. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")];
}

/** The raw bytes of meta.db and its WAL (as latin1, so any byte sequence can be searched). */
function fileContents(dir: string): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith("meta.db"))
    .map((name) => readFileSync(join(dir, name)).toString("latin1"))
    .join("\n");
}

const SECRETS = [CHANNELS.email.settings.password, CHANNELS.webhook.settings.secret, CHANNELS.slack.settings.url];

test("secret settings of every kind are not readable in meta.db or its WAL, and read back with the key, whatever the key pattern", async () => {
  const own = new MetaDbs();
  try {
    // A key pattern that marks none of the settings' names: the channel's kind decides, not the pattern.
    const { db, dir, secrets } = own.create(new SecretMarking("^never-a-setting$"));
    const repo = new SqliteNotificationRepository(db, secrets);
    const ids: string[] = [];
    for (const definition of Object.values(CHANNELS)) ids.push((await repo.createChannel(definition, 1_000, null)).id);
    const rotated = "rotated-pass-a9c4";
    const email = ids[0] as string;
    await repo.updateChannel(email, { ...CHANNELS.email, settings: { ...CHANNELS.email.settings, password: rotated } }, 2_000, null);

    const contents = fileContents(dir);
    for (const secret of [...SECRETS, rotated])
      for (const form of forms(secret)) assert.ok(!contents.includes(form), `meta.db holds ${form}`);
    assert.ok(contents.includes("mail.example.com"), "the other settings stay plain");
    const stored = db.prepare("SELECT definition FROM notification_channels WHERE id = ?").pluck().get(email) as string;
    assert.match(stored, /"password":"thsec:v1:[0-9a-f]{16}:/, "a secret setting is an envelope with its key id");

    const all = await repo.allChannels();
    assert.deepEqual(
      all.map((channel) => channel.settings),
      [CHANNELS.slack.settings, { ...CHANNELS.email.settings, password: rotated }, CHANNELS.webhook.settings],
    );
  } finally {
    own.dispose();
  }
});

test("a secret setting the key in use cannot open reads as [unreadable]; the rest of the channel is intact", async () => {
  const own = new MetaDbs();
  try {
    const { db, secrets } = own.create();
    const channel = await new SqliteNotificationRepository(db, secrets).createChannel(CHANNELS.webhook, 1_000, null);
    const otherKey = new SecretFields(new SecretMarking(), new SecretCipher(randomBytes(32)));
    const read = await new SqliteNotificationRepository(db, otherKey).getChannel(channel.id);
    assert.deepEqual(read?.settings, { url: CHANNELS.webhook.settings.url, secret: UNREADABLE });
  } finally {
    own.dispose();
  }
});
