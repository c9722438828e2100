import type { ApiKeyRepository } from "../storage/api-key-repository.js";

/**
 * Make sure an admin key exists. When no active key exists, the configured key is stored
 * (if given) or a new one generated; the generated key is returned so it can be printed once.
 */
export async function bootstrapAdminKey(_apiKeys: ApiKeyRepository, _configuredKey: string, _now: () => number): Promise<string | undefined> {
  return undefined;
}
