import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CommandRecord, CommandState, NewCommand } from "../../src/commands/command-record.js";
import type { CommandStore } from "../../src/commands/command-store.js";
import { ERASED } from "../../src/security/secret-marking.js";
import { secretForms } from "../support/at-rest.js";
import { settle, T } from "./contract-fixtures.js";
import { NUL_TEXT, richDocument } from "./json-documents.js";

const WIFI_PASSWORD = "hunter2-wifi-5e1f";
const API_KEY = "ak-live-0c9b2d";
const RESULT_TOKEN = "tok-result-77aa";

/** Arguments with two secret values (by the default `security.secretKeyPattern`) beside plain ones. */
const ARGS: NewCommand["args"] = {
  ssid: "plant-net",
  wifiPassword: WIFI_PASSWORD,
  upstream: { host: "mqtt.example.com", apiKey: API_KEY, ports: [1883, 8883] },
  note: NUL_TEXT,
  document: richDocument() as NewCommand["args"],
};

function command(id: string, deviceId: string, createdAt: number, overrides: Partial<NewCommand> = {}): NewCommand {
  return {
    id,
    deviceId,
    name: "reboot",
    args: { delayMs: 100 },
    createdAt,
    expiresAt: createdAt + 60_000,
    timeoutMs: 30_000,
    idempotencyKey: null,
    createdBy: "k_sender",
    ...overrides,
  };
}

/**
 * The behaviour every `CommandStore` must have. `open` gives a fresh, empty database's store,
 * sealing secrets with the default `security.secretKeyPattern`, and `readRaw(id)`: every stored
 * value of that command's row as text (for the at-rest check; no SQL in the contract).
 */
export function commandStoreContract(
  name: string,
  factory: { open(): Promise<{ store: CommandStore; readRaw(id: string): Promise<string> }>; dispose(): Promise<void> },
): void {
  describe(`CommandStore contract: ${name}`, () => {
    let store: CommandStore;
    let readRaw: (id: string) => Promise<string>;

    before(async () => {
      ({ store, readRaw } = await factory.open());
    });
    after(() => factory.dispose());

    test("create stores a queued command whole (args with secrets, nested JSON, unicode), read back the same by get", async () => {
      const created = await store.create(command("cmd-1", "boiler-1", T, { name: "configure", args: ARGS, idempotencyKey: "idem-1" }));
      const expected: CommandRecord = {
        id: "cmd-1",
        deviceId: "boiler-1",
        name: "configure",
        args: ARGS,
        state: "queued",
        createdAt: T,
        updatedAt: T,
        expiresAt: T + 60_000,
        timeoutMs: 30_000,
        attempts: 0,
        result: null,
        error: null,
        idempotencyKey: "idem-1",
        createdBy: "k_sender",
        transitions: [{ state: "queued", at: T }],
      };
      assert.deepEqual(created, expected);
      assert.deepEqual(await store.get("cmd-1"), expected);
      assert.equal(await store.get("cmd-nobody"), undefined);
      const anonymous = await store.create(command("cmd-2", "boiler-1", T + 1, { createdBy: null }));
      assert.deepEqual([anonymous.createdBy, anonymous.idempotencyKey], [null, null]);
    });

    test("secret argument values are not readable at rest; the plain ones are", async () => {
      const raw = await readRaw("cmd-1");
      for (const secret of [WIFI_PASSWORD, API_KEY])
        for (const form of secretForms(secret)) assert.ok(!raw.includes(form), `stored as ${form}`);
      assert.ok(raw.includes("plant-net") && raw.includes("mqtt.example.com"), "the other values stay plain");
    });

    test("findByIdempotencyKey finds a command by (device, key) only", async () => {
      assert.equal((await store.findByIdempotencyKey("boiler-1", "idem-1"))?.id, "cmd-1");
      assert.deepEqual(await store.findByIdempotencyKey("boiler-1", "idem-1"), await store.get("cmd-1"));
      assert.equal(await store.findByIdempotencyKey("boiler-2", "idem-1"), undefined);
      assert.equal(await store.findByIdempotencyKey("boiler-1", "IDEM-1"), undefined);
      assert.equal(await store.findByIdempotencyKey("boiler-1", "idem-nobody"), undefined);
    });

    test("a key is unique per device even when two writers create at once: one create wins, the other rejects; another device may reuse it", async () => {
      const [a, b] = await Promise.all([
        settle(store.create(command("cmd-race-a", "boiler-3", T + 2, { idempotencyKey: "idem-race" }))),
        settle(store.create(command("cmd-race-b", "boiler-3", T + 2, { idempotencyKey: "idem-race" }))),
      ]);
      assert.equal([a, b].filter((outcome) => outcome.value !== undefined).length, 1, "exactly one create succeeds");
      const winner = (a.value ?? b.value) as CommandRecord;
      assert.equal((await store.findByIdempotencyKey("boiler-3", "idem-race"))?.id, winner.id);
      assert.equal(await store.get(winner.id === "cmd-race-a" ? "cmd-race-b" : "cmd-race-a"), undefined, "the loser stored nothing");
      const other = await store.create(command("cmd-race-c", "boiler-4", T + 2, { idempotencyKey: "idem-race" }));
      assert.equal((await store.findByIdempotencyKey("boiler-4", "idem-race"))?.id, other.id);
      // Commands without a key never collide.
      await store.create(command("cmd-nokey-1", "boiler-4", T + 3));
      await store.create(command("cmd-nokey-2", "boiler-4", T + 3));
    });

    test("transition moves a command from one of the given states, records the step and answers the record", async () => {
      const queued = (await store.get("cmd-2")) as CommandRecord;
      const sent = await store.transition("cmd-2", ["queued", "sent"], { state: "sent", at: T + 10, attempt: true });
      assert.deepEqual(sent, {
        ...queued,
        state: "sent",
        updatedAt: T + 10,
        attempts: 1,
        transitions: [
          { state: "queued", at: T + 1 },
          { state: "sent", at: T + 10 },
        ],
      });
      assert.deepEqual(await store.get("cmd-2"), sent);
      // Sent again (a reconnect): one more attempt, no new step, the expiry stays the deadline.
      const again = await store.transition("cmd-2", ["queued", "sent"], { state: "sent", at: T + 20, attempt: true });
      assert.deepEqual(again, { ...sent, updatedAt: T + 20, attempts: 2 });
      assert.deepEqual(
        (await store.due(T + 1 + 60_000, 100)).map((c) => c.id).filter((id) => id === "cmd-2"),
        ["cmd-2"],
        "a sent command is due at its expiry",
      );
      // Not in a `from` state: nothing changes.
      assert.equal(
        await store.transition("cmd-2", ["delivered"], { state: "succeeded", at: T + 30, deadline: null, result: 1 }),
        undefined,
      );
      assert.deepEqual(await store.get("cmd-2"), again);
      assert.equal(await store.transition("cmd-nobody", ["queued"], { state: "sent", at: T + 30 }), undefined);
      assert.equal(await store.get("cmd-nobody"), undefined, "a transition creates nothing");
    });

    test("a delivered command gets its result deadline; a result (secrets sealed at rest), an error or null are stored; a final command has no deadline", async () => {
      const delivered = await store.transition("cmd-1", ["queued", "sent"], { state: "delivered", at: T + 100, deadline: T + 30_100 });
      assert.deepEqual(
        delivered?.transitions.map((t) => t.state),
        ["queued", "delivered"],
      );
      assert.equal(delivered?.attempts, 0);
      const result = { ok: true, diagnostics: { sessionToken: RESULT_TOKEN, rssi: -61, text: "réseau 🛜" }, list: [null, 1.5, "x"] };
      const succeeded = (await store.transition("cmd-1", ["queued", "sent", "delivered"], {
        state: "succeeded",
        at: T + 200,
        deadline: null,
        result,
      })) as CommandRecord;
      assert.deepEqual([succeeded.state, succeeded.result, succeeded.error, succeeded.updatedAt], ["succeeded", result, null, T + 200]);
      assert.deepEqual(await store.get("cmd-1"), succeeded);
      const raw = await readRaw("cmd-1");
      for (const form of secretForms(RESULT_TOKEN)) assert.ok(!raw.includes(form), `result stored as ${form}`);
      assert.ok(raw.includes("réseau"), "plain result values stay plain");

      await store.create(command("cmd-fail", "boiler-5", T + 300));
      const failed = await store.transition("cmd-fail", ["queued", "sent", "delivered"], {
        state: "failed",
        at: T + 310,
        deadline: null,
        error: { code: "E_DEVICE", message: "relay stuck — 継電器" },
      });
      assert.deepEqual([failed?.result, failed?.error], [null, { code: "E_DEVICE", message: "relay stuck — 継電器" }]);
      await store.create(command("cmd-null", "boiler-5", T + 301));
      const nothing = await store.transition("cmd-null", ["queued"], { state: "succeeded", at: T + 320, deadline: null, result: null });
      assert.equal(nothing?.result, null);
      assert.deepEqual(
        (await store.due(T + 10_000_000, 100)).map((c) => c.id).filter((id) => ["cmd-1", "cmd-fail", "cmd-null"].includes(id)),
        [],
        "final commands are never due",
      );
    });

    test("eraseSecretArgs replaces the secret argument values by [erased] and keeps the rest", async () => {
      await store.create(command("cmd-erase", "boiler-5", T + 400, { args: ARGS }));
      const cancelled = await store.transition("cmd-erase", ["queued", "sent"], {
        state: "cancelled",
        at: T + 410,
        deadline: null,
        eraseSecretArgs: ARGS,
      });
      const erased = { ...ARGS, wifiPassword: ERASED, upstream: { host: "mqtt.example.com", apiKey: ERASED, ports: [1883, 8883] } };
      assert.deepEqual(cancelled?.args, erased);
      assert.deepEqual((await store.get("cmd-erase"))?.args, erased);
      assert.deepEqual((await store.get("cmd-1"))?.args, ARGS, "another command keeps its arguments");
    });

    test("of writers moving one command from the same state at once, exactly one moves it", async () => {
      // Several rounds: a pool's connections are opened in the first, so that later ones truly overlap.
      for (let round = 0; round < 8; round++) {
        const id = `cmd-contended-${round}`;
        await store.create(command(id, "boiler-6", T + 500 + round));
        const outcomes = await Promise.all([
          store.transition(id, ["queued"], { state: "sent", at: T + 510, attempt: true }),
          store.transition(id, ["queued"], { state: "cancelled", at: T + 511, deadline: null }),
          store.transition(id, ["queued"], { state: "expired", at: T + 512, deadline: null }),
        ]);
        const moved = outcomes.filter((outcome) => outcome !== undefined);
        assert.equal(moved.length, 1, `round ${round}: ${moved.map((m) => m.state).join(", ")}`);
        const final = (await store.get(id)) as CommandRecord;
        assert.deepEqual([final.state, final.transitions.length], [moved[0]?.state, 2]);
      }
    });

    test("pendingFor answers a device's queued and sent commands, oldest first and in creation order within one millisecond", async () => {
      // Ids whose byte order is the reverse of their creation order.
      for (const id of ["p-z", "p-m", "p-a"]) await store.create(command(id, "pump-1", T + 1_000));
      await store.create(command("p-early", "pump-1", T + 999));
      await store.create(command("p-late", "pump-1", T + 1_001));
      await store.create(command("p-other", "pump-2", T + 1_000));
      await store.transition("p-m", ["queued"], { state: "sent", at: T + 1_100, attempt: true });
      await store.create(command("p-done", "pump-1", T + 998));
      await store.transition("p-done", ["queued"], { state: "delivered", at: T + 1_100, deadline: T + 2_000 });
      await store.create(command("p-cancelled", "pump-1", T + 998));
      await store.transition("p-cancelled", ["queued"], { state: "cancelled", at: T + 1_100, deadline: null });
      assert.deepEqual(
        (await store.pendingFor("pump-1")).map((c) => [c.id, c.state]),
        [
          ["p-early", "queued"],
          ["p-z", "queued"],
          ["p-m", "sent"],
          ["p-a", "queued"],
          ["p-late", "queued"],
        ],
      );
      assert.deepEqual((await store.pendingFor("pump-1"))[2], await store.get("p-m"));
      assert.equal((await store.pendingFor("pump-2")).length, 1);
      assert.deepEqual(await store.pendingFor("pump-nobody"), []);
    });

    test("list filters by device, states (repeats allowed), created from (inclusive) to (exclusive), pages both ways with the total", async () => {
      const ids = (items: CommandRecord[]) => items.map((c) => c.id);
      const pump = await store.list({ limit: 100, offset: 0, deviceId: "pump-1", order: "asc" });
      assert.deepEqual(ids(pump.items), ["p-done", "p-cancelled", "p-early", "p-z", "p-m", "p-a", "p-late"]);
      assert.equal(pump.total, 7);
      const desc = await store.list({ limit: 100, offset: 0, deviceId: "pump-1", order: "desc" });
      assert.deepEqual(ids(desc.items), [...ids(pump.items)].reverse());
      const page = await store.list({ limit: 2, offset: 3, deviceId: "pump-1", order: "asc" });
      assert.deepEqual([ids(page.items), page.total], [["p-z", "p-m"], 7]);
      const states: CommandState[] = ["sent", "cancelled", "sent", "delivered", "sent"];
      const bystate = await store.list({ limit: 100, offset: 0, deviceId: "pump-1", states, order: "asc" });
      assert.deepEqual([ids(bystate.items), bystate.total], [["p-done", "p-cancelled", "p-m"], 3]);
      const window = await store.list({ limit: 100, offset: 0, from: T + 999, to: T + 1_001, order: "asc" });
      assert.deepEqual([ids(window.items), window.total], [["p-early", "p-z", "p-m", "p-a", "p-other"], 5]);
      const emptyStates = await store.list({ limit: 100, offset: 0, deviceId: "pump-2", states: [], order: "asc" });
      assert.deepEqual(ids(emptyStates.items), ["p-other"], "no states: every state");
      const everything = await store.list({ limit: 1_000, offset: 0, order: "desc" });
      assert.equal(everything.total, everything.items.length);
      assert.equal(everything.items[0]?.id, "p-late");
      assert.deepEqual(everything.items.at(-1), await store.get("cmd-1"));
      assert.deepEqual(await store.list({ limit: 10, offset: 0, deviceId: "pump-nobody", order: "asc" }), { items: [], total: 0 });
    });

    test("due answers the commands whose deadline has come (inclusive), at most `limit` of them", async () => {
      await store.create(command("d-1", "valve-1", T + 5_000, { expiresAt: T + 6_000 }));
      await store.create(command("d-2", "valve-1", T + 5_000, { expiresAt: T + 6_001 }));
      await store.create(command("d-3", "valve-2", T + 5_000, { expiresAt: T + 9_000 }));
      await store.transition("d-3", ["queued"], { state: "delivered", at: T + 5_500, deadline: T + 5_900 });
      const dueIds = async (now: number, limit = 1_000) =>
        (await store.due(now, limit)).map((c) => c.id).filter((id) => id.startsWith("d-"));
      assert.deepEqual(await dueIds(T + 5_899), []);
      assert.deepEqual(await dueIds(T + 5_900), ["d-3"], "the result deadline, not the expiry, once delivered");
      assert.deepEqual((await dueIds(T + 6_000)).sort(), ["d-1", "d-3"]);
      assert.deepEqual((await dueIds(T + 6_001)).sort(), ["d-1", "d-2", "d-3"]);
      const all = await store.due(T + 6_001, 1_000);
      assert.deepEqual(
        all.find((c) => c.id === "d-3"),
        await store.get("d-3"),
      );
      const limited = await store.due(T + 6_001, 2);
      assert.equal(limited.length, 2);
      for (const c of limited)
        assert.ok(
          all.some((due) => due.id === c.id),
          `${c.id} is due`,
        );
    });

    test("createUnlessFull stores a command while its device has fewer than maxPending queued or sent, and nothing once it has that many", async () => {
      await store.create(command("f-1", "fan-1", T + 2_000));
      const second = await store.createUnlessFull(command("f-2", "fan-1", T + 2_001, { args: ARGS }), 2);
      assert.deepEqual(second, await store.get("f-2"), "stored whole, answered as get answers it");
      assert.deepEqual(second?.args, ARGS);
      assert.equal(await store.createUnlessFull(command("f-3", "fan-1", T + 2_002), 2), undefined, "two pending: full");
      assert.equal(await store.get("f-3"), undefined, "nothing stored");
      assert.ok(await store.createUnlessFull(command("f-other", "fan-2", T + 2_002), 2), "another device's queue is its own");
      await store.transition("f-1", ["queued"], { state: "delivered", at: T + 2_003, deadline: T + 9_000 });
      assert.ok(await store.createUnlessFull(command("f-4", "fan-1", T + 2_004), 2), "a delivered command no longer counts");
    });

    test("a delivered step's result-timeout deadline is its time plus the command's timeout; a deviceId moves only that device's command", async () => {
      await store.create(command("r-1", "fan-9", T + 3_000, { timeoutMs: 45_000 }));
      assert.equal(
        await store.transition("r-1", ["queued"], { state: "delivered", at: T + 3_010, deadline: "result-timeout", deviceId: "fan-8" }),
        undefined,
        "another device's frame does not move it",
      );
      assert.equal((await store.get("r-1"))?.state, "queued");
      const delivered = await store.transition("r-1", ["queued"], {
        state: "delivered",
        at: T + 3_010,
        deadline: "result-timeout",
        deviceId: "fan-9",
      });
      assert.equal(delivered?.state, "delivered");
      assert.deepEqual(
        (await store.due(T + 48_010, 100)).filter((c) => c.id === "r-1").map((c) => c.id),
        ["r-1"],
        "due at at + timeoutMs",
      );
      assert.deepEqual(
        (await store.due(T + 48_009, 100)).filter((c) => c.id === "r-1"),
        [],
        "not before",
      );
    });
  });
}
