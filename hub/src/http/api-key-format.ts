import { generateId, generateSecret } from "../security/secrets.js";

/** `thk_<id: 16 hex>_<secret: ≥ 32 base64url characters>`; the secret may itself contain `_`. */
const API_KEY_PATTERN = /^thk_([0-9a-f]{16})_([A-Za-z0-9_-]{32,256})$/;

/** The format, as told to an operator whose configured key does not match it. */
export const API_KEY_FORMAT = "thk_<16 lowercase hex characters>_<secret of at least 32 characters from A-Z a-z 0-9 _ ->";

/** An API key split into the id (stored, shown in lists) and the secret (stored only as a hash). */
export interface ApiKeyParts {
  id: string;
  secret: string;
}

/** Split a presented key; undefined when it does not have the key format. */
export function parseApiKey(key: string): ApiKeyParts | undefined {
  const match = API_KEY_PATTERN.exec(key);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

/** A new key: random id and secret. */
export function generateApiKey(): ApiKeyParts & { key: string } {
  const id = generateId();
  const secret = generateSecret();
  return { id, secret, key: formatApiKey({ id, secret }) };
}

export function formatApiKey(parts: ApiKeyParts): string {
  return `thk_${parts.id}_${parts.secret}`;
}
