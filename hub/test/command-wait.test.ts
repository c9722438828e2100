import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { HubFrame } from "@telehub/device-client/protocol";
import pino from "pino";
import type { CommandRecord } from "../src/commands/command-record.js";
import { CommandService } from "../src/commands/command-service.js";
import type { CommandStore } from "../src/commands/command-store.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { type EventBus, InProcessEventBus } from "../src/events/event-bus.js";
import { SqliteCommandStore } from "../src/storage/sqlite/sqlite-command-store.js";
import { MetaDbs } from "./support/meta-db.js";

// Issue #21 (command round trip): `submitAndWait` listens to the command before it exists and
// answers with its final step's record, read from the store only when the event cannot stand for it.

const dbs = new MetaDbs();
after(() => dbs.dispose());

/** A store, and a view of it for one instance that counts that instance's reads of one command. */
function countingStore(): { inner: CommandStore; store: CommandStore; gets: () => number } {
  const { db, secrets } = dbs.create();
  const inner = new SqliteCommandStore(db, secrets);
  let gets = 0;
  const store: CommandStore = {
    create: (command) => inner.create(command),
    createUnlessFull: (command, maxPending) => inner.createUnlessFull(command, maxPending),
    get: (id) => {
      gets++;
      return inner.get(id);
    },
    findByIdempotencyKey: (deviceId, key) => inner.findByIdempotencyKey(deviceId, key),
    list: (query) => inner.list(query),
    pendingFor: (deviceId) => inner.pendingFor(deviceId),
    transition: (id, from, to) => inner.transition(id, from, to),
    due: (now, limit) => inner.due(now, limit),
  };
  return { inner, store, gets: () => gets };
}

/**
 * Two instances on one store and one bus: `api` takes the call, `holder` holds the device's
 * session (a test double of the device answers each `cmd` at once through `holder`, as the device
 * on another instance would, racing `api`'s own steps).
 */
function twoInstances(result: (args: CommandRecord["args"]) => CommandRecord["result"]) {
  const { inner, store, gets } = countingStore();
  const bus: EventBus = new InProcessEventBus();
  const common = {
    bus,
    config: DEFAULT_CONFIG.commands,
    log: pino({ level: "silent" }),
    now: Date.now,
    secrets: dbs.create().secrets.marking,
  };
  const holder: CommandService = new CommandService({ ...common, store: inner, channel: { send: () => true } });
  const answered: string[] = [];
  const api = new CommandService({
    ...common,
    store,
    channel: {
      send: (deviceId: string, frame: HubFrame) => {
        if (frame.t !== "cmd") return true;
        answered.push(frame.id);
        void holder
          .receipt(deviceId, frame.id)
          .then(() => holder.result(deviceId, { t: "cmd_result", id: frame.id, ok: true, res: result(frame.args ?? {}) }));
        return true;
      },
    },
  });
  return { api, store: inner, gets, answered };
}

const request = (args: CommandRecord["args"] = { n: 1 }, idempotencyKey?: string) => ({
  deviceId: "pump-1",
  name: "ping",
  args,
  actor: "key_1",
  ...(idempotencyKey ? { idempotencyKey } : {}),
});

describe("CommandService.submitAndWait", () => {
  test("answers with the final step's record, as the store holds it, without reading the store", async () => {
    const { api, store, gets } = twoInstances((args) => ({ pong: args.n ?? null }));
    const { command, created } = await api.submitAndWait(request({ n: 7 }), 60_000);
    assert.equal(created, true);
    assert.equal(command.state, "succeeded");
    assert.deepEqual(command.result, { pong: 7 });
    assert.equal(gets(), 0, "the answering instance did not read the command");
    assert.deepEqual(command, await store.get(command.id));
  });

  test("reads the store when the event holds secret values (redacted there): the caller gets the result as stored", async () => {
    const { api, gets } = twoInstances(() => ({ joined: true, sessionToken: "s3cr3t" }));
    const { command } = await api.submitAndWait(request({ ssid: "hall", wifiPassword: "hunter2" }), 60_000);
    assert.equal(command.state, "succeeded");
    assert.deepEqual(command.result, { joined: true, sessionToken: "s3cr3t" });
    assert.deepEqual(command.args, { ssid: "hall", wifiPassword: "[erased]" });
    assert.equal(gets(), 1);
  });

  test("an idempotent replay waits for the command created before", async () => {
    const { api, answered } = twoInstances((args) => ({ pong: args.n ?? null }));
    const first = await api.submitAndWait(request({ n: 1 }, "once"), 60_000);
    const again = await api.submitAndWait(request({ n: 1 }, "once"), 60_000);
    assert.deepEqual([again.created, again.command.id, again.command.state], [false, first.command.id, "succeeded"]);
    assert.equal(answered.length, 1, "sent once");
  });

  test("a device that never answers: after the wait, the command as it is then", async () => {
    const { store, gets } = countingStore();
    const api = new CommandService({
      store,
      bus: new InProcessEventBus(),
      channel: { send: () => true },
      config: DEFAULT_CONFIG.commands,
      log: pino({ level: "silent" }),
      now: Date.now,
      secrets: dbs.create().secrets.marking,
    });
    const { command, created } = await api.submitAndWait(request(), 50);
    assert.deepEqual([created, command.state], [true, "sent"]);
    assert.equal(gets(), 1, "read once the wait is over");
  });
});
