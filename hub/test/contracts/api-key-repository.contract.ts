import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ApiKeyRecord, ApiKeyRepository, NewApiKey } from "../../src/storage/api-key-repository.js";
import type { UserRepository } from "../../src/storage/user-repository.js";
import { createUsers, T } from "./contract-fixtures.js";

function key(id: string, at: number, overrides: Partial<NewApiKey> = {}): NewApiKey {
  return { id, name: `key ${id}`, role: "operator", secretHash: `scrypt$${id}`, ownerId: null, expiresAt: null, at, ...overrides };
}

/**
 * The behaviour every `ApiKeyRepository` must have. `open` gives a fresh, empty database's key
 * repository and the user repository of the same database (a key's owner is a user).
 */
export function apiKeyRepositoryContract(
  name: string,
  factory: { open(): Promise<{ keys: ApiKeyRepository; users: UserRepository }>; dispose(): Promise<void> },
): void {
  describe(`ApiKeyRepository contract: ${name}`, () => {
    let keys: ApiKeyRepository;
    let users: UserRepository;

    before(async () => {
      ({ keys, users } = await factory.open());
      await createUsers(users, ["usr_ada", "usr_bob"]);
    });
    after(() => factory.dispose());

    test("create answers the whole record, read back the same by get; an unknown id is undefined", async () => {
      const created = await keys.create(
        key("k_first", T, { name: "CI — déploiement 🚀", role: "admin", ownerId: "usr_ada", expiresAt: T + 86_400_000 }),
      );
      const expected: ApiKeyRecord = {
        id: "k_first",
        name: "CI — déploiement 🚀",
        role: "admin",
        secretHash: "scrypt$k_first",
        ownerId: "usr_ada",
        expiresAt: T + 86_400_000,
        createdAt: T,
        lastUsedAt: null,
        revokedAt: null,
      };
      assert.deepEqual(created, expected);
      assert.deepEqual(await keys.get("k_first"), expected);
      const legacy = await keys.create(key("k_legacy", T + 1, { role: "viewer" }));
      assert.deepEqual([legacy.ownerId, legacy.expiresAt, legacy.role, legacy.createdAt], [null, null, "viewer", T + 1]);
      assert.equal(await keys.get("k_nobody"), undefined);
    });

    test("list answers every key, revoked ones included, oldest first and by id within one millisecond", async () => {
      // Created out of order; three share one millisecond.
      await keys.create(key("k_zeta", T + 10, { ownerId: "usr_bob" }));
      await keys.create(key("k_Beta", T + 10));
      await keys.create(key("k_alpha", T + 10));
      await keys.create(key("k_early", T - 5));
      await keys.revoke("k_alpha", T + 20);
      assert.deepEqual(
        (await keys.list()).map((k) => k.id),
        ["k_early", "k_first", "k_legacy", "k_Beta", "k_alpha", "k_zeta"],
      );
      assert.equal((await keys.list()).find((k) => k.id === "k_alpha")?.revokedAt, T + 20);
    });

    test("revoke answers true once and keeps the first time; unknown ids answer false; countActive counts the unrevoked", async () => {
      const active = await keys.countActive();
      assert.equal(await keys.revoke("k_early", T + 30), true);
      assert.equal(await keys.revoke("k_early", T + 40), false, "revoking twice keeps the first time");
      assert.equal((await keys.get("k_early"))?.revokedAt, T + 30);
      assert.equal(await keys.revoke("k_nobody", T + 30), false);
      assert.equal(await keys.countActive(), active - 1);
      // An expired key is still counted: only revocation ends a key here (expiry is the caller's check).
      await keys.create(key("k_expired", T + 50, { expiresAt: T + 51 }));
      assert.equal(await keys.countActive(), active);
    });

    test("revokeForOwner revokes that owner's unrevoked keys only and answers their ids", async () => {
      await keys.create(key("k_ada2", T + 60, { ownerId: "usr_ada" }));
      await keys.create(key("k_ada3", T + 61, { ownerId: "usr_ada" }));
      await keys.revoke("k_ada3", T + 62);
      const active = await keys.countActive();
      const revoked = await keys.revokeForOwner("usr_ada", T + 70);
      assert.deepEqual([...revoked].sort(), ["k_ada2", "k_first"], "the already revoked k_ada3 is not answered");
      assert.equal(await keys.countActive(), active - 2);
      assert.deepEqual(
        [(await keys.get("k_first"))?.revokedAt, (await keys.get("k_ada2"))?.revokedAt, (await keys.get("k_ada3"))?.revokedAt],
        [T + 70, T + 70, T + 62],
      );
      assert.equal((await keys.get("k_zeta"))?.revokedAt, null, "another owner's key stays");
      assert.equal((await keys.get("k_legacy"))?.revokedAt, null, "a key without owner stays");
      assert.deepEqual(await keys.revokeForOwner("usr_ada", T + 80), []);
      assert.deepEqual(await keys.revokeForOwner("usr_nobody", T + 80), []);
    });

    test("touch records the last use exactly, on that key only, and changes nothing else; an unknown id is no error", async () => {
      const before = (await keys.get("k_zeta")) as ApiKeyRecord;
      await keys.touch("k_zeta", T + 90);
      await keys.touch("k_zeta", T + 100);
      await keys.touch("k_nobody", T + 100);
      assert.deepEqual(await keys.get("k_zeta"), { ...before, lastUsedAt: T + 100 });
      assert.equal((await keys.get("k_Beta"))?.lastUsedAt, null);
    });
  });
}
