import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Role } from "../../src/storage/api-key-repository.js";
import { DuplicateUsernameError, type UserRecord, type UserRepository } from "../../src/storage/user-repository.js";
import { settle, T } from "./contract-fixtures.js";

type NewUser = Parameters<UserRepository["create"]>[0];

/** A new user as `UserAdmin` makes one: the username already lowercase. */
function user(id: string, username: string, createdAt: number, role: Role = "operator"): NewUser {
  return {
    id,
    username,
    name: `Name of ${username}`,
    email: `${username}@example.com`,
    role,
    passwordHash: `scrypt$16384$8$1$salt$${id}`,
    createdAt,
  };
}

/** The behaviour every `UserRepository` must have. `open` gives the repository of a fresh, empty database. */
export function userRepositoryContract(name: string, factory: { open(): Promise<UserRepository>; dispose(): Promise<void> }): void {
  describe(`UserRepository contract: ${name}`, () => {
    let users: UserRepository;

    before(async () => {
      users = await factory.open();
    });
    after(() => factory.dispose());

    test("create answers the whole record (password changed when created), read back the same by id and by username in any case", async () => {
      assert.equal(await users.count(), 0);
      const created = await users.create({
        ...user("usr_ada", "ada", T, "admin"),
        name: "Ada Lovelace — 🧮 Zürich",
        email: "ada@exämple.com",
      });
      const expected: UserRecord = {
        id: "usr_ada",
        username: "ada",
        name: "Ada Lovelace — 🧮 Zürich",
        email: "ada@exämple.com",
        role: "admin",
        passwordHash: "scrypt$16384$8$1$salt$usr_ada",
        createdAt: T,
        passwordChangedAt: T,
        lastLoginAt: null,
        disabledAt: null,
        deletedAt: null,
      };
      assert.deepEqual(created, expected);
      assert.deepEqual(await users.get("usr_ada"), expected);
      assert.deepEqual(await users.byUsername("ada"), expected);
      assert.deepEqual(await users.byUsername("ADA"), expected);
      assert.deepEqual(await users.byUsername("Ada"), expected);
      assert.equal(await users.get("usr_nobody"), undefined);
      assert.equal(await users.byUsername("nobody"), undefined);
      assert.equal(await users.byUsername("usr_ada"), undefined, "a username is not an id");
    });

    test("a taken username is a DuplicateUsernameError, also when its user is deleted; nothing is stored", async () => {
      await users.create(user("usr_gone", "gone", T + 1));
      await users.markDeleted("usr_gone", T + 2);
      const count = await users.count();
      await assert.rejects(users.create(user("usr_ada2", "ada", T + 3)), DuplicateUsernameError);
      await assert.rejects(users.create(user("usr_gone2", "gone", T + 3)), DuplicateUsernameError);
      assert.equal(await users.count(), count);
      assert.equal(await users.get("usr_ada2"), undefined);
      assert.equal((await users.byUsername("ada"))?.id, "usr_ada");
    });

    test("a deleted user is still found by id and username, counted by count, left out of list", async () => {
      const gone = await users.get("usr_gone");
      assert.equal(gone?.deletedAt, T + 2);
      assert.equal((await users.byUsername("GONE"))?.deletedAt, T + 2);
      assert.equal(await users.count(), 2);
      assert.deepEqual(await users.list({ limit: 10, offset: 0 }), { items: [await users.get("usr_ada")], total: 1 });
    });

    test("list pages the users not deleted, oldest first and by id within one millisecond, with their total", async () => {
      // Created out of order; three share one millisecond.
      await users.create(user("usr_zed", "zed", T + 10));
      await users.create(user("usr_Bea", "bea", T + 10));
      await users.create(user("usr_amy", "amy", T + 10));
      await users.create(user("usr_old", "old", T - 5));
      await users.create(user("usr_del", "del", T + 11));
      await users.markDeleted("usr_del", T + 12);
      const all = await users.list({ limit: 10, offset: 0 });
      assert.equal(all.total, 5);
      assert.deepEqual(
        all.items.map((u) => u.id),
        ["usr_old", "usr_ada", "usr_Bea", "usr_amy", "usr_zed"],
      );
      const page = await users.list({ limit: 2, offset: 2 });
      assert.deepEqual([page.total, page.items.map((u) => u.id)], [5, ["usr_Bea", "usr_amy"]]);
      assert.deepEqual(await users.list({ limit: 2, offset: 5 }), { items: [], total: 5 });
      assert.equal(await users.count(), 7);
    });

    test("update changes only the fields given (disabledAt: a time, null clears, absent keeps) and answers the record; unknown ids answer undefined", async () => {
      const before = (await users.get("usr_zed")) as UserRecord;
      const renamed = await users.update("usr_zed", { name: "Zed — 新しい", email: "zed@new.example" });
      assert.deepEqual(renamed, { ...before, name: "Zed — 新しい", email: "zed@new.example" });
      assert.deepEqual(await users.update("usr_zed", { role: "viewer", disabledAt: T + 20 }), {
        ...renamed,
        role: "viewer",
        disabledAt: T + 20,
      });
      assert.deepEqual(await users.update("usr_zed", { name: "Zed" }), { ...renamed, name: "Zed", role: "viewer", disabledAt: T + 20 });
      assert.deepEqual(await users.update("usr_zed", { disabledAt: null }), { ...renamed, name: "Zed", role: "viewer", disabledAt: null });
      assert.deepEqual(await users.update("usr_zed", {}), await users.get("usr_zed"));
      assert.equal(await users.update("usr_nobody", { name: "x" }), undefined);
      assert.equal(await users.get("usr_nobody"), undefined, "an update creates nothing");
      assert.deepEqual(await users.get("usr_amy"), {
        ...user("usr_amy", "amy", T + 10),
        passwordChangedAt: T + 10,
        lastLoginAt: null,
        disabledAt: null,
        deletedAt: null,
      });
    });

    test("countActiveAdmins counts admins neither disabled nor deleted", async () => {
      assert.equal(await users.countActiveAdmins(), 1);
      await users.update("usr_amy", { role: "admin" });
      await users.update("usr_Bea", { role: "admin" });
      assert.equal(await users.countActiveAdmins(), 3);
      await users.update("usr_amy", { disabledAt: T + 30 });
      await users.markDeleted("usr_Bea", T + 31);
      await users.create(user("usr_adm", "adm", T + 32, "admin"));
      await users.markDeleted("usr_adm", T + 33);
      assert.equal(await users.countActiveAdmins(), 1);
      await users.update("usr_amy", { disabledAt: null });
      assert.equal(await users.countActiveAdmins(), 2);
    });

    test("setPassword, touchLogin and markDeleted set their times exactly on that user only; unknown ids are no error", async () => {
      const other = await users.get("usr_old");
      await users.setPassword("usr_zed", "scrypt$16384$8$1$salt$changed", T + 40);
      await users.touchLogin("usr_zed", T + 41);
      let zed = (await users.get("usr_zed")) as UserRecord;
      assert.deepEqual(
        [zed.passwordHash, zed.passwordChangedAt, zed.lastLoginAt, zed.createdAt],
        ["scrypt$16384$8$1$salt$changed", T + 40, T + 41, T + 10],
      );
      await users.touchLogin("usr_zed", T + 50);
      await users.markDeleted("usr_zed", T + 51);
      zed = (await users.get("usr_zed")) as UserRecord;
      assert.deepEqual([zed.lastLoginAt, zed.deletedAt], [T + 50, T + 51]);
      await users.setPassword("usr_nobody", "x", T);
      await users.touchLogin("usr_nobody", T);
      await users.markDeleted("usr_nobody", T);
      assert.equal(await users.get("usr_nobody"), undefined);
      assert.deepEqual(await users.get("usr_old"), other);
    });

    test("two writers creating one username at once: one user is created, the other gets DuplicateUsernameError", async () => {
      for (let round = 0; round < 5; round++) {
        const username = `twin${round}`;
        const outcomes = await Promise.all(
          ["a", "b"].map((side) => settle(users.create(user(`usr_twin${round}${side}`, username, T + 5)))),
        );
        assert.equal(outcomes.filter((outcome) => outcome.value).length, 1, `round ${round}`);
        const refused = outcomes.find((outcome) => outcome.error)?.error;
        assert.ok(refused instanceof DuplicateUsernameError, `round ${round}: ${String(refused)}`);
        assert.equal((await users.byUsername(username))?.id, outcomes.find((outcome) => outcome.value)?.value?.id);
      }
    });
  });
}
