import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DeviceRepository, DuplicateDeviceError } from "../../src/storage/device-repository.js";

/** The behaviour every `DeviceRepository` must have (the embedded one now, a server database later). */
export function deviceRepositoryContract(name: string, factory: { open(): Promise<DeviceRepository>; dispose(): Promise<void> }): void {
  describe(`DeviceRepository contract: ${name}`, () => {
    let repo: DeviceRepository;
    const base = { tokenHash: "sha256:x", labels: {} };

    before(async () => {
      repo = await factory.open();
      for (const [i, id] of ["beta", "alpha", "gamma", "delta"].entries()) {
        await repo.create({ ...base, id, name: `Device ${id.toUpperCase()}`, at: 1_000 + i });
      }
    });
    after(() => factory.dispose());

    test("create returns the record; a taken id is a DuplicateDeviceError", async () => {
      const created = await repo.create({ ...base, id: "epsilon", name: "E", labels: { site: "north" }, at: 2_000 });
      assert.deepEqual(created, {
        id: "epsilon",
        name: "E",
        tokenHash: "sha256:x",
        createdAt: 2_000,
        updatedAt: 2_000,
        lastSeenAt: null,
        firmware: null,
        model: null,
        attributes: {},
        labels: { site: "north" },
        clockSkewMs: null,
        revokedAt: null,
        profileId: null,
        reportedCommands: [],
      });
      await assert.rejects(repo.create({ ...base, id: "epsilon", name: "again", at: 3_000 }), DuplicateDeviceError);
      assert.equal(await repo.get("nobody"), undefined);
    });

    test("list pages, sorts both ways, searches id and name, filters by ids", async () => {
      const asc = await repo.list({ limit: 2, offset: 0, sort: "id", order: "asc" });
      assert.equal(asc.total, 5);
      assert.deepEqual(
        asc.items.map((d) => d.id),
        ["alpha", "beta"],
      );
      const page2 = await repo.list({ limit: 2, offset: 2, sort: "id", order: "asc" });
      assert.deepEqual(
        page2.items.map((d) => d.id),
        ["delta", "epsilon"],
      );
      const desc = await repo.list({ limit: 10, offset: 0, sort: "createdAt", order: "desc" });
      assert.deepEqual(
        desc.items.map((d) => d.id),
        ["epsilon", "delta", "gamma", "alpha", "beta"],
      );
      const search = await repo.list({ limit: 10, offset: 0, sort: "id", order: "asc", search: "device g" });
      assert.deepEqual(
        search.items.map((d) => d.id),
        ["gamma"],
      );
      const some = await repo.list({ limit: 10, offset: 0, sort: "id", order: "asc", ids: ["gamma", "beta", "nobody"] });
      assert.deepEqual([some.total, some.items.map((d) => d.id)], [2, ["beta", "gamma"]]);
      const others = await repo.list({ limit: 10, offset: 0, sort: "id", order: "asc", excludeIds: ["gamma", "beta"] });
      assert.deepEqual(
        others.items.map((d) => d.id),
        ["alpha", "delta", "epsilon"],
      );
    });

    test("hello, last seen (never moving backwards), update, revoke, token rotation un-revokes, delete", async () => {
      await repo.recordHello("alpha", {
        firmware: "2.0",
        model: "esp32",
        attributes: { ip: "10.0.0.2", heap: 100, ok: true },
        clockSkewMs: -42,
        at: 5_000,
      });
      await repo.touchLastSeen([{ id: "alpha", at: 7_000 }]);
      await repo.touchLastSeen([{ id: "alpha", at: 6_000 }]);
      let alpha = await repo.get("alpha");
      assert.deepEqual(
        [alpha?.firmware, alpha?.model, alpha?.attributes, alpha?.clockSkewMs, alpha?.lastSeenAt],
        ["2.0", "esp32", { ip: "10.0.0.2", heap: 100, ok: true }, -42, 7_000],
      );
      await repo.recordHello("alpha", { firmware: "2.0", model: "esp32", attributes: null, clockSkewMs: -42, at: 5_500 });
      assert.deepEqual(
        (await repo.get("alpha"))?.attributes,
        { ip: "10.0.0.2", heap: 100, ok: true },
        "a hello without attributes keeps them",
      );
      const filtered = await repo.list({ limit: 10, offset: 0, sort: "id", order: "asc", model: "esp32", firmware: "2.0" });
      assert.deepEqual(
        filtered.items.map((d) => d.id),
        ["alpha"],
      );
      alpha = await repo.update("alpha", { name: "Renamed", labels: { room: "1" } }, 8_000);
      assert.deepEqual([alpha?.name, alpha?.labels, alpha?.updatedAt], ["Renamed", { room: "1" }, 8_000]);
      assert.equal(await repo.update("nobody", { name: "x" }, 8_000), undefined);
      assert.equal(await repo.revoke("alpha", 9_000), true);
      assert.equal(await repo.revoke("alpha", 9_500), false, "revoking twice keeps the first time");
      assert.equal((await repo.get("alpha"))?.revokedAt, 9_000);
      assert.equal((await repo.list({ limit: 10, offset: 0, sort: "id", order: "asc", revoked: true })).total, 1);
      assert.equal(await repo.setTokenHash("alpha", "sha256:new", 10_000), true);
      alpha = await repo.get("alpha");
      assert.deepEqual([alpha?.tokenHash, alpha?.revokedAt], ["sha256:new", null]);
      assert.equal(await repo.delete("alpha"), true);
      assert.equal(await repo.delete("alpha"), false);
      assert.equal(await repo.get("alpha"), undefined);
    });

    test("a rotation with a grace period keeps the replaced token until then; a plain rotation or a revocation drops it", async () => {
      const before = (await repo.get("beta"))?.tokenHash as string;
      assert.equal(await repo.previousToken("beta"), undefined);
      assert.equal(await repo.setTokenHash("beta", "sha256:second", 20_000, 25_000), true);
      assert.equal((await repo.get("beta"))?.tokenHash, "sha256:second");
      assert.deepEqual(await repo.previousToken("beta"), { tokenHash: before, validUntil: 25_000 });
      await repo.setTokenHash("beta", "sha256:third", 21_000);
      assert.equal(await repo.previousToken("beta"), undefined);
      await repo.setTokenHash("beta", "sha256:fourth", 22_000, 30_000);
      assert.deepEqual(await repo.previousToken("beta"), { tokenHash: "sha256:third", validUntil: 30_000 });
      assert.deepEqual(await repo.tokenHashes("beta"), {
        tokenHash: "sha256:fourth",
        previous: { tokenHash: "sha256:third", validUntil: 30_000 },
      });
      await repo.revoke("beta", 23_000);
      assert.equal(await repo.previousToken("beta"), undefined);
      assert.deepEqual(await repo.tokenHashes("beta"), { tokenHash: "sha256:fourth", previous: undefined });
      assert.equal(await repo.previousToken("nobody"), undefined);
      assert.equal(await repo.tokenHashes("nobody"), undefined);
    });
  });
}
