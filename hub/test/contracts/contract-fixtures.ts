import type { UserRepository } from "../../src/storage/user-repository.js";

/**
 * A time in milliseconds since the epoch, past 2^32 (as every real one is): a 32-bit column, or a
 * round trip through a float or a string that loses digits, would change it.
 */
export const T = 1_765_432_100_123;

/** Users with these ids (username = id), for rows that name their user (API keys, sessions). */
export async function createUsers(users: UserRepository, ids: readonly string[], at = T): Promise<void> {
  for (const id of ids) {
    await users.create({
      id,
      username: id,
      name: id,
      email: `${id}@example.com`,
      role: "operator",
      passwordHash: "scrypt$x",
      createdAt: at,
    });
  }
}

/** Settles `promise`: its value, or the error it rejected with. */
export function settle<V>(promise: Promise<V>): Promise<{ value?: V; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}
