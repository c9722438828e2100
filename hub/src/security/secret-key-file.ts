import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type pino from "pino";
import { ConfigError } from "../config/load-config.js";
import { SECRETS_KEY_BYTES, secretsKeyId } from "./secret-cipher.js";

/** Name of the generated key file in the data folder. */
export const SECRETS_KEY_FILE = "secrets.key";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = BASE64.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (key.length !== SECRETS_KEY_BYTES)
    throw new ConfigError(`${source} must be the base64 of ${SECRETS_KEY_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`);
  return key;
}

/** The database whose secret values a key encrypts, as messages name it and say where its key is kept. */
export interface SecretsKeyHolder {
  /** `meta.db`, or the cluster's PostgreSQL database. */
  name: string;
  /** Where the right key is found again. */
  keptWith: string;
}

/** The embedded metadata database. */
export const META_DB_KEY_HOLDER: SecretsKeyHolder = {
  name: "meta.db",
  keptWith: "the secrets.key backed up with meta.db, or the same TELEHUB_SECURITY_SECRETS_KEY",
};

/**
 * The key that encrypts secret values in `holder` (meta.db, or the cluster's PostgreSQL database):
 * `security.secretsKey` when set, else `<dataDir>/secrets.key`, generated (mode 0600) at the first
 * start. Refuses, with a message that says what to do, a key other than the one the database
 * recorded at its first start (`recordedKeyIds`), and a missing key file when it already has one recorded.
 */
export function loadSecretsKey(
  configured: string,
  dataDir: string,
  recordedKeyIds: readonly string[],
  log: pino.Logger,
  holder: SecretsKeyHolder = META_DB_KEY_HOLDER,
): Buffer {
  const path = join(dataDir, SECRETS_KEY_FILE);
  let key: Buffer;
  let source: string;
  if (configured !== "") {
    source = "security.secretsKey (TELEHUB_SECURITY_SECRETS_KEY)";
    key = decodeKey(configured, source);
  } else if (existsSync(path)) {
    source = path;
    key = decodeKey(readFileSync(path, "utf8"), path);
  } else if (recordedKeyIds.length > 0) {
    throw new ConfigError(
      `${holder.name} belongs with secrets key ${recordedKeyIds.join(", ")} (its secret values are encrypted with it), but there is no key: security.secretsKey (TELEHUB_SECURITY_SECRETS_KEY) is empty and ${path} is missing. Set that key (${holder.keptWith}).`,
    );
  } else {
    source = path;
    key = randomBytes(SECRETS_KEY_BYTES);
    writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    log.warn(
      { path },
      `generated the key that encrypts secret command arguments and configuration values in ${holder.name}: back it up with ${holder.name}, but keep the copy apart from ${holder.name}'s (docs/operations.md, Secrets)`,
    );
  }
  const keyId = secretsKeyId(key);
  const others = recordedKeyIds.filter((id) => id !== keyId);
  if (others.length > 0) {
    throw new ConfigError(
      `${holder.name} belongs with secrets key ${others.join(", ")} (its secret values are encrypted with it), but the key from ${source} is ${keyId}: start with that key (${holder.keptWith})`,
    );
  }
  return key;
}
