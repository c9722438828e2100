import type pino from "pino";
import type { HubConfig } from "../../config/hub-config.js";
import { ConfigError } from "../../config/load-config.js";
import { SecretCipher } from "../../security/secret-cipher.js";
import { SecretFields } from "../../security/secret-fields.js";
import { loadSecretsKey, type SecretsKeyHolder } from "../../security/secret-key-file.js";
import { SecretMarking } from "../../security/secret-marking.js";
import type { PgDatabase, PgQueryable } from "./pg-database.js";

/** The cluster's metadata database, as the secrets key's messages name it. */
const POSTGRES_KEY_HOLDER: SecretsKeyHolder = {
  name: "the cluster's PostgreSQL database",
  keptWith: "the TELEHUB_SECURITY_SECRETS_KEY the cluster's first instance started with: every instance needs the same key",
};

async function recordedKeyIds(db: PgQueryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM secret_keys ORDER BY recorded_at, id");
  return rows.map((row) => row.id);
}

/**
 * The secret values of the PostgreSQL store (the twin of meta.db's `openMetaSecrets`): which
 * keys are secret (`security.secretKeyPattern`) and the key that encrypts them
 * (`security.secretsKey`, else `<dataDir>/secrets.key`). The first instance to start records the
 * key's id in `secret_keys`; a start with another key is refused, as meta.db refuses it. Every
 * instance of a cluster must therefore be given the same key. A PostgreSQL store is new, so
 * there is no plain-text upgrade pass.
 */
export async function openPgSecrets(db: PgDatabase, config: HubConfig, log: pino.Logger, now: () => number): Promise<SecretFields> {
  let marking: SecretMarking;
  try {
    marking = new SecretMarking(config.security.secretKeyPattern);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const load = (recorded: readonly string[]): Buffer =>
    loadSecretsKey(config.security.secretsKey, config.dataDir, recorded, log, POSTGRES_KEY_HOLDER);
  const recorded = await recordedKeyIds(db);
  const cipher = new SecretCipher(load(recorded));
  if (recorded.length === 0) {
    // Instances starting together with different keys: the table lock lets one record its key,
    // and the others see it and are refused.
    const recordedFirst = await db.transaction(async (tx) => {
      await tx.query("LOCK TABLE secret_keys IN SHARE ROW EXCLUSIVE MODE");
      const first = await recordedKeyIds(tx);
      if (first.length === 0) await tx.query("INSERT INTO secret_keys (id, recorded_at) VALUES ($1, $2)", [cipher.keyId, now()]);
      return first;
    });
    if (recordedFirst.length > 0) load(recordedFirst);
  }
  return new SecretFields(marking, cipher);
}
