import type { DataValue } from "@telehub/device-client/protocol";
import type Database from "better-sqlite3";
import type pino from "pino";
import { type CommandState, FINAL_STATES } from "../../commands/command-record.js";
import type { HubConfig } from "../../config/hub-config.js";
import { ConfigError } from "../../config/load-config.js";
import { SecretCipher } from "../../security/secret-cipher.js";
import { SecretFields } from "../../security/secret-fields.js";
import { loadSecretsKey } from "../../security/secret-key-file.js";
import { SecretMarking } from "../../security/secret-marking.js";

/**
 * The secret values of meta.db: which keys are secret (`security.secretKeyPattern`) and the key
 * that encrypts them (`security.secretsKey` or `<dataDir>/secrets.key`). meta.db records the id
 * of the key at its first start with encryption, and a later start with another key is refused.
 * That first start also encrypts the secret values already stored in plain text and erases the
 * secret arguments of finished commands (what a hub of an earlier version left).
 */
export function openMetaSecrets(db: Database.Database, config: HubConfig, log: pino.Logger, now: () => number): SecretFields {
  let marking: SecretMarking;
  try {
    marking = new SecretMarking(config.security.secretKeyPattern);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const recorded = db.prepare("SELECT id FROM secret_keys ORDER BY recorded_at").pluck().all() as string[];
  const cipher = new SecretCipher(loadSecretsKey(config.security.secretsKey, config.dataDir, recorded, log));
  const fields = new SecretFields(marking, cipher);
  if (recorded.length === 0) {
    const sealed = db.transaction(() => {
      db.prepare("INSERT INTO secret_keys (id, recorded_at) VALUES (?, ?)").run(cipher.keyId, now());
      return sealStoredSecrets(db, fields);
    })();
    if (sealed > 0) {
      // The plain values would linger in free space of the pages and in old WAL frames: rebuild the file, empty the WAL.
      db.exec("VACUUM");
      db.pragma("wal_checkpoint(TRUNCATE)");
      log.info({ rows: sealed }, "encrypted the secret values an earlier version stored in plain text");
    }
  }
  return fields;
}

/** Rows read at a time by the upgrade pass (SQLite cannot update a table while a statement iterates it). */
const PAGE_ROWS = 1_000;

type CommandRow = { rowid: number; state: CommandState; args: string; result: string | null };
type ConfigRow = { rowid: number; device_id: string; document: string };

/** Every row of a table, a page at a time by rowid, so a large table is never held whole. */
function* pages<T extends { rowid: number }>(db: Database.Database, select: string): Generator<T> {
  const page = db.prepare(`${select} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE_ROWS}`);
  let after = 0;
  for (;;) {
    const rows = page.all(after) as T[];
    yield* rows;
    if (rows.length < PAGE_ROWS) return;
    after = (rows[rows.length - 1] as T).rowid;
  }
}

/** Seal what an earlier version stored in plain text; answers how many rows changed. */
function sealStoredSecrets(db: Database.Database, fields: SecretFields): number {
  let changed = 0;
  const reseal = (raw: string | null): string | null => {
    if (raw === null) return null;
    const sealed = JSON.stringify(fields.sealPlain(JSON.parse(raw) as DataValue));
    return sealed === raw ? null : sealed;
  };
  const updateCommand = db.prepare("UPDATE commands SET args = ?, result = ? WHERE rowid = ?");
  for (const row of pages<CommandRow>(db, "SELECT rowid, state, args, result FROM commands")) {
    const args = FINAL_STATES.has(row.state) ? JSON.stringify(fields.erase(JSON.parse(row.args) as DataValue)) : reseal(row.args);
    const result = reseal(row.result);
    if ((args === null || args === row.args) && result === null) continue;
    updateCommand.run(args ?? row.args, result ?? row.result, row.rowid);
    changed++;
  }
  const updateConfig = db.prepare("UPDATE device_config SET document = ? WHERE rowid = ?");
  for (const row of pages<ConfigRow>(db, "SELECT rowid, device_id, document FROM device_config")) {
    const document = reseal(row.document);
    if (document === null) continue;
    updateConfig.run(document, row.rowid);
    changed++;
  }
  return changed;
}
