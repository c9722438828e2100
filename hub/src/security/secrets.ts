import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new secret: 32 random bytes, base64url (43 characters, 256 bits of entropy). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** A short random identifier (base32-ish lowercase), e.g. for API key ids. */
export function generateId(bytes = 8): string {
  return randomBytes(bytes).toString("hex");
}

/**
 * Hash a high-entropy secret for storage. SHA-256 suffices because the secrets are random
 * 256-bit values, never passwords a person chose.
 */
export function hashSecret(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("base64url")}`;
}

/** Compare a presented secret with a stored hash in constant time. */
export function verifySecret(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
