import { hashSecret } from "../security/secrets.js";
import type { ApiKeyRepository } from "../storage/api-key-repository.js";
import { API_KEY_FORMAT, generateApiKey, parseApiKey } from "./api-key-format.js";

/** Name of the admin key created at first start. */
export const INITIAL_ADMIN_KEY_NAME = "initial admin";

/**
 * Make sure an admin key exists. When no active key exists, the configured key is stored
 * (if given) or a new one generated; the generated key is returned so it can be printed once.
 * When an active key exists nothing changes, so a restart never creates a second key. The key
 * is owned by `ownerId` (the first admin user), or by nobody (null).
 *
 * @throws Error when `configuredKey` is not empty and not in the key format.
 */
export async function bootstrapAdminKey(
  apiKeys: ApiKeyRepository,
  configuredKey: string,
  now: () => number,
  ownerId: string | null = null,
): Promise<string | undefined> {
  if ((await apiKeys.countActive()) > 0) return undefined;
  const configured = configuredKey.trim();
  const parts = configured === "" ? undefined : parseApiKey(configured);
  if (configured !== "" && !parts) {
    throw new Error(`adminKey (TELEHUB_ADMIN_KEY) is not a valid API key: expected ${API_KEY_FORMAT}`);
  }
  if (parts) {
    if (await apiKeys.get(parts.id))
      throw new Error(`adminKey (TELEHUB_ADMIN_KEY): key id ${parts.id} exists and is revoked; configure a new key`);
    await apiKeys.create({
      id: parts.id,
      name: INITIAL_ADMIN_KEY_NAME,
      role: "admin",
      secretHash: hashSecret(parts.secret),
      ownerId,
      expiresAt: null,
      at: now(),
    });
    return undefined;
  }
  const generated = generateApiKey();
  await apiKeys.create({
    id: generated.id,
    name: INITIAL_ADMIN_KEY_NAME,
    role: "admin",
    secretHash: hashSecret(generated.secret),
    ownerId,
    expiresAt: null,
    at: now(),
  });
  return generated.key;
}
