import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt from `node:crypto` (part of Node itself, no package to trust).
 * Parameters: N = 2^15, r = 8, p = 1 (32 MiB and about 50–100 ms per hash), a 16-byte random
 * salt, a 32-byte key. Stored as `scrypt$N$r$p$<salt base64url>$<key base64url>`, so the
 * parameters can be raised later without breaking stored hashes.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/** Shortest password accepted (characters). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted (UTF-8 bytes): the work per attempt stays bounded. */
export const MAX_PASSWORD_BYTES = 1_024;

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `a password has at least ${MIN_PASSWORD_LENGTH} characters`;
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return `a password has at most ${MAX_PASSWORD_BYTES} bytes`;
  return undefined;
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes, just above Node's 32 MiB default at these parameters.
    scrypt(password, salt, keyBytes, { N, r, p, maxmem: 256 * N * r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hash a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_PARAMS;
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, N, r, p, keyBytes);
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** A hash of a random password, verified against when a username is unknown so the answer takes the same work. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString("base64url"));
  return dummyHash;
}

/** Whether `password` matches a stored hash; compared in constant time. A password over the byte limit never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] as string, "base64url");
  const expected = Buffer.from(parts[5] as string, "base64url");
  // Over-long passwords still cost one hash, of a truncated input, so length does not show in the timing.
  const presented = Buffer.byteLength(password) > MAX_PASSWORD_BYTES ? password.slice(0, MAX_PASSWORD_BYTES) : password;
  const key = await derive(presented, salt, N, r, p, expected.length);
  return timingSafeEqual(key, expected) && Buffer.byteLength(password) <= MAX_PASSWORD_BYTES;
}
