import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import pino from "pino";
import { CommandService } from "../src/commands/command-service.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { InProcessEventBus } from "../src/events/event-bus.js";
import { SecretCipher } from "../src/security/secret-cipher.js";
import { SecretFields } from "../src/security/secret-fields.js";
import { SecretMarking } from "../src/security/secret-marking.js";
import { PgCommandStore } from "../src/storage/postgres/pg-command-store.js";
import { PgDeviceRepository } from "../src/storage/postgres/pg-device-repository.js";
import { MigratedDatabases, requirePostgres } from "./support/postgres.js";

test("the same idempotency key sent to two cluster instances at once makes one command, and both answer with it", {
  skip: requirePostgres(),
}, async (t) => {
  const databases = new MigratedDatabases();
  await databases.start();
  t.after(() => databases.stop());
  const { db, url } = await databases.create();
  const secrets = new SecretFields(new SecretMarking(), new SecretCipher(randomBytes(32)));
  await new PgDeviceRepository(db).create({ id: "dev-1", name: "d", tokenHash: "x", labels: {}, at: 1 });
  // Each instance: its own pool and command service, on the one database.
  const instance = (): CommandService =>
    new CommandService({
      store: new PgCommandStore(databases.connect(url), secrets),
      channel: { send: () => false },
      bus: new InProcessEventBus(),
      config: DEFAULT_CONFIG.commands,
      log: pino({ level: "silent" }),
      now: Date.now,
      secrets: secrets.marking,
    });
  const [a, b] = [instance(), instance()];
  for (let round = 0; round < 10; round++) {
    const request = { deviceId: "dev-1", name: "reboot", args: {}, idempotencyKey: `key-${round}`, actor: null };
    const answers = await Promise.all([a.submit(request), b.submit(request)]);
    assert.equal(answers[0].command.id, answers[1].command.id, `round ${round}: one command`);
    assert.deepEqual(answers.map((answer) => answer.created).sort(), [false, true], `round ${round}: one of them created it`);
  }
});
