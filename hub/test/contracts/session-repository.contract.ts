import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { SessionRecord, SessionRepository } from "../../src/storage/session-repository.js";
import type { UserRepository } from "../../src/storage/user-repository.js";
import { createUsers, T } from "./contract-fixtures.js";

const DAY = 86_400_000;
/** A session id hash as `hashSecret` makes one (64 hex digits). */
const ADA_HASH = "a".repeat(64);

/** A session of `userId` started at `at`, ending a day later, as `Sessions.start` makes one. */
function session(idHash: string, userId: string, at: number): Omit<SessionRecord, "revokedAt"> {
  return { idHash, userId, csrfToken: `csrf-${idHash}-Zm9vYmFy_-`, createdAt: at, lastSeenAt: at, expiresAt: at + DAY };
}

/**
 * The behaviour every `SessionRepository` must have. `open` gives a fresh, empty database's session
 * repository and the user repository of the same database (a session's user is a user).
 */
export function sessionRepositoryContract(
  name: string,
  factory: { open(): Promise<{ sessions: SessionRepository; users: UserRepository }>; dispose(): Promise<void> },
): void {
  describe(`SessionRepository contract: ${name}`, () => {
    let sessions: SessionRepository;

    before(async () => {
      let users: UserRepository;
      ({ sessions, users } = await factory.open());
      await createUsers(users, ["usr_ada", "usr_bob"]);
    });
    after(() => factory.dispose());

    test("create stores the session whole, read back by its id hash; an unknown hash is undefined", async () => {
      const created = { ...session(ADA_HASH, "usr_ada", T), lastSeenAt: T + 5 };
      await sessions.create(created);
      assert.deepEqual(await sessions.get(ADA_HASH), { ...created, revokedAt: null });
      assert.equal(await sessions.get("b".repeat(64)), undefined);
      assert.equal(await sessions.get("A".repeat(64)), undefined, "hashes are compared exactly");
    });

    test("touch moves lastSeenAt exactly, on that session only; an unknown hash is no error", async () => {
      await sessions.create(session("s_other", "usr_ada", T));
      await sessions.touch(ADA_HASH, T + 60_000);
      await sessions.touch("s_nobody", T + 60_000);
      assert.deepEqual(await sessions.get(ADA_HASH), {
        ...session(ADA_HASH, "usr_ada", T),
        lastSeenAt: T + 60_000,
        revokedAt: null,
      });
      assert.equal((await sessions.get("s_other"))?.lastSeenAt, T);
    });

    test("revoke ends one session and keeps the first time; an unknown hash is no error", async () => {
      await sessions.revoke("s_other", T + 100);
      await sessions.revoke("s_other", T + 200);
      await sessions.revoke("s_nobody", T + 100);
      assert.deepEqual(await sessions.get("s_other"), { ...session("s_other", "usr_ada", T), revokedAt: T + 100 });
      assert.equal((await sessions.get(ADA_HASH))?.revokedAt, null);
    });

    test("revokeForUser ends that user's open sessions and answers how many ended", async () => {
      await sessions.create(session("s_ada2", "usr_ada", T + 1));
      await sessions.create(session("s_bob", "usr_bob", T + 2));
      assert.equal(await sessions.revokeForUser("usr_ada", T + 300), 2, "s_other had already ended");
      assert.deepEqual(
        [
          (await sessions.get(ADA_HASH))?.revokedAt,
          (await sessions.get("s_ada2"))?.revokedAt,
          (await sessions.get("s_other"))?.revokedAt,
          (await sessions.get("s_bob"))?.revokedAt,
        ],
        [T + 300, T + 300, T + 100, null],
      );
      assert.equal(await sessions.revokeForUser("usr_ada", T + 400), 0);
      assert.equal(await sessions.revokeForUser("usr_nobody", T + 400), 0);
    });

    test("prune forgets the sessions that expired or were revoked before the time given, and keeps the rest", async () => {
      await sessions.create(session("s_expired", "usr_bob", T - DAY - 10)); // ends at T - 10
      await sessions.create(session("s_ends_at_cut", "usr_bob", T - DAY)); // ends exactly at T
      await sessions.create(session("s_revoked_at_cut", "usr_bob", T - 50));
      await sessions.revoke("s_revoked_at_cut", T);
      await sessions.create(session("s_revoked_early", "usr_bob", T - 50));
      await sessions.revoke("s_revoked_early", T - 1);
      // Idle for a long time, but not past its absolute end: not for prune to judge.
      await sessions.create(session("s_idle", "usr_bob", T - DAY + 5));

      await sessions.prune(T);
      const left: Record<string, boolean> = {};
      for (const id of ["s_expired", "s_ends_at_cut", "s_revoked_at_cut", "s_revoked_early", "s_idle", "s_bob", "s_other"]) {
        left[id] = (await sessions.get(id)) !== undefined;
      }
      assert.deepEqual(left, {
        s_expired: false,
        s_ends_at_cut: true,
        s_revoked_at_cut: true,
        s_revoked_early: false,
        s_idle: true,
        s_bob: true,
        s_other: true,
      });
      await sessions.prune(T + 101);
      assert.equal(await sessions.get("s_other"), undefined, "revoked at T + 100");
      assert.notEqual(await sessions.get("s_bob"), undefined);
    });
  });
}
