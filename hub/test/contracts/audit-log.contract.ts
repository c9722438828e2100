import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AuditEntry, AuditLog } from "../../src/audit/audit-log.js";
import { T } from "./contract-fixtures.js";
import { NUL_TEXT, richDocument } from "./json-documents.js";

type NewEntry = Parameters<AuditLog["record"]>[0];

/** What the suite records, oldest first. */
const recorded: NewEntry[] = [
  { at: T, actor: "user:ada", actorName: "Ada Lovelace", action: "session.login", target: "usr_ada", details: {} },
  {
    at: T + 1,
    actor: "key:k1",
    actorName: "CI",
    owner: "user:ada",
    action: "device.create",
    target: "boiler-1",
    details: { name: "Boiler" },
  },
  { at: T + 2, actor: "key:k1", actorName: "CI", owner: "user:ada", action: "command.send", target: "boiler-1", details: richDocument() },
  // Three in one millisecond: recording order decides.
  { at: T + 3, actor: "user:bob", actorName: null, owner: null, action: "config.set", target: "boiler-2", details: { status: 200 } },
  { at: T + 3, actor: "k_legacy", action: "command.send", target: "boiler-2", details: { note: NUL_TEXT } },
  { at: T + 3, actor: "user:ada", actorName: "Ada — 管理者 🛠", action: "command.send", target: "Boiler-1", details: { status: 202 } },
];

/** The behaviour every `AuditLog` must have. `open` gives the audit log of a fresh, empty database. */
export function auditLogContract(name: string, factory: { open(): Promise<AuditLog>; dispose(): Promise<void> }): void {
  describe(`AuditLog contract: ${name}`, () => {
    let audit: AuditLog;

    /** Every entry, newest first. */
    async function all(): Promise<AuditEntry[]> {
      return (await audit.list({ limit: 1_000, offset: 0 })).items;
    }

    before(async () => {
      audit = await factory.open();
    });
    after(() => factory.dispose());

    test("an empty log lists nothing, total 0; record adds entries", async () => {
      assert.deepEqual(await audit.list({ limit: 10, offset: 0 }), { items: [], total: 0 });
      for (const entry of recorded) await audit.record(entry);
      assert.equal((await audit.list({ limit: 1, offset: 0 })).total, recorded.length);
    });

    test("list answers every entry whole, newest recorded first; actorName and owner left out are null", async () => {
      const page = await audit.list({ limit: 1_000, offset: 0 });
      assert.equal(page.total, recorded.length);
      assert.deepEqual(
        page.items.map(({ id: _id, ...entry }) => entry),
        [...recorded].reverse().map((entry) => ({ ...entry, actorName: entry.actorName ?? null, owner: entry.owner ?? null })),
      );
    });

    test("ids are distinct integers, increasing in recording order", async () => {
      const ids = (await all()).map((entry) => entry.id).reverse();
      for (const id of ids) assert.ok(Number.isSafeInteger(id) && id > 0, `id ${id}`);
      for (let i = 1; i < ids.length; i++) assert.ok((ids[i] as number) > (ids[i - 1] as number), `ids ${ids.join(", ")}`);
    });

    test("list pages with limit and offset; total counts every matching entry", async () => {
      const every = await all();
      const page = await audit.list({ limit: 2, offset: 1 });
      assert.deepEqual(page, { items: every.slice(1, 3), total: every.length });
      assert.deepEqual(await audit.list({ limit: 2, offset: every.length }), { items: [], total: every.length });
    });

    test("actor, action and target filter exactly (case included) and together, with the filtered total", async () => {
      const every = await all();
      const where = (keep: (entry: AuditEntry) => boolean) => every.filter(keep);
      const check = async (query: { actor?: string; action?: string; target?: string }, expected: AuditEntry[]) => {
        assert.deepEqual(
          await audit.list({ limit: 100, offset: 0, ...query }),
          { items: expected, total: expected.length },
          JSON.stringify(query),
        );
      };
      await check(
        { actor: "key:k1" },
        where((e) => e.actor === "key:k1"),
      );
      await check(
        { action: "command.send" },
        where((e) => e.action === "command.send"),
      );
      await check(
        { target: "boiler-1" },
        where((e) => e.target === "boiler-1"),
      );
      await check(
        { target: "Boiler-1" },
        where((e) => e.target === "Boiler-1"),
      );
      await check(
        { action: "command.send", target: "boiler-2" },
        where((e) => e.action === "command.send" && e.target === "boiler-2"),
      );
      await check(
        { actor: "user:ada", action: "command.send", target: "Boiler-1" },
        where((e) => e.actor === "user:ada" && e.target === "Boiler-1"),
      );
      await check({ actor: "user:ada", action: "device.create" }, []);
      await check({ actor: "user:" }, []);
      await check({ actor: "user:%" }, []);
      const filteredPage = await audit.list({ limit: 1, offset: 1, action: "command.send" });
      assert.deepEqual(filteredPage, { items: where((e) => e.action === "command.send").slice(1, 2), total: 3 });
    });
  });
}
