import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ClusterEventBus } from "../src/cluster/cluster-event-bus.js";
import { clusterNames } from "../src/cluster/cluster-names.js";
import type { HubEvent } from "../src/events/event-bus.js";
import { connectTestInstance, type TestInstance } from "./support/cluster-instance.js";
import { eventually } from "./support/eventually.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";

// Issue #21: the event bus across instances. Three "instances" in one process, each with its own
// NATS connection and bus, on a private nats-server.

const names = clusterNames("bus_test");

const commandEvent = (id: string): HubEvent => ({
  type: "command.updated",
  at: 1_700_000_000_123,
  command: {
    id,
    deviceId: "plant.hall:7",
    name: "set",
    args: { level: 3, nested: { list: [1, "two", true, null], empty: {} }, note: "é ✓" },
    state: "succeeded",
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_123,
    expiresAt: 1_700_000_060_000,
    timeoutMs: 30_000,
    attempts: 1,
    result: { ok: true, readings: [0.5, -2] },
    error: null,
    idempotencyKey: null,
    createdBy: "key_1",
    transitions: [
      { state: "queued", at: 1_700_000_000_000 },
      { state: "succeeded", at: 1_700_000_000_123 },
    ],
  },
});

const alarmEvent: HubEvent = {
  type: "alarm.updated",
  at: 1_700_000_001_000,
  alarm: {
    id: "alm_1",
    ruleId: "rule_1",
    ruleName: "hot",
    deviceId: "d1",
    profileId: null,
    severity: "critical",
    peakSeverity: "critical",
    status: "active",
    acknowledged: false,
    raisedAt: 1_700_000_001_000,
    updatedAt: 1_700_000_001_000,
    clearedAt: null,
    clearedBy: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    value: 92.4,
    message: "temperature 92.4 above 90",
  },
  transition: {
    alarmId: "alm_1",
    seq: 1,
    kind: "raised",
    at: 1_700_000_001_000,
    severity: "critical",
    by: "rule",
    byName: null,
    comment: null,
    value: 92.4,
  },
};

interface BusInstance extends TestInstance {
  bus: ClusterEventBus;
  received: HubEvent[];
}

/** An instance whose bus has a listener of every event (`listening`), or none. */
async function busInstance(nats: NatsServer, id: string, listening = true): Promise<BusInstance> {
  const instance = await connectTestInstance(nats.url, id, { natsOfflineBufferBytes: 4_096 });
  const bus = new ClusterEventBus(instance.notices, names.events);
  const received: HubEvent[] = [];
  if (listening) bus.subscribe((event) => received.push(event));
  return { ...instance, bus, received };
}

const commandIds = (instance: BusInstance): string[] =>
  instance.received.flatMap((event) => (event.type === "command.updated" ? [event.command.id] : []));

/** What `from` published so far has reached `to` (the server routed it before answering `from`'s flush, and wrote it to `to` before answering `to`'s). */
async function delivered(from: BusInstance, to: BusInstance): Promise<void> {
  await from.connection.nats.flush();
  await to.connection.nats.flush();
}

/** Each connection's subscriptions are on the server, and what it published before has come back to it. */
async function settled(instances: BusInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.connection.nats.flush()));
}

describe("cluster event bus", { skip: requireNats() }, () => {
  let nats: NatsServer;
  let a: BusInstance;
  let b: BusInstance;
  let c: BusInstance;

  before(async () => {
    nats = await startNats();
    [a, b, c] = (await Promise.all(["hub-a", "hub-b", "hub-c"].map((id) => busInstance(nats, id)))) as [
      BusInstance,
      BusInstance,
      BusInstance,
    ];
  });
  after(async () => {
    for (const instance of [a, b, c]) {
      instance?.bus.close();
      await instance?.connection.close();
    }
    await nats?.stop();
  });

  test("an event published on A reaches A's listeners at once and B's and C's once, as it was sent", async () => {
    await settled([a, b, c]);
    const sent = commandEvent("cmd_1");
    a.bus.publish(sent);
    assert.deepEqual(commandIds(a), ["cmd_1"], "A's own listeners synchronously");
    await eventually(() => commandIds(b).length > 0 && commandIds(c).length > 0, "B and C got the event", 10_000);
    assert.deepEqual(b.received, [sent]);
    assert.deepEqual(c.received, [sent]);

    // A's own event came back from NATS by now (its flush answers after it): it was not delivered again.
    await settled([a]);
    a.bus.publish(alarmEvent);
    await eventually(() => b.received.length === 2 && c.received.length === 2, "B and C got the alarm", 10_000);
    await settled([a, b, c]);
    assert.deepEqual(a.received, [sent, alarmEvent]);
    assert.deepEqual(b.received, [sent, alarmEvent]);
    assert.deepEqual(c.received, [sent, alarmEvent]);
  });

  test("`own` hands listeners only the events published on this instance (a webhook sends each once in the cluster)", async () => {
    const ownOnA: string[] = [];
    const ownOnB: string[] = [];
    const offA = a.bus.own.subscribe((event) => event.type === "command.updated" && ownOnA.push(event.command.id));
    const offB = b.bus.own.subscribe((event) => event.type === "command.updated" && ownOnB.push(event.command.id));
    try {
      a.bus.publish(commandEvent("cmd_own_a"));
      b.bus.own.publish(commandEvent("cmd_own_b"));
      await eventually(() => commandIds(a).includes("cmd_own_b") && commandIds(b).includes("cmd_own_a"), "both crossed", 10_000);
      await settled([a, b]);
      assert.deepEqual(ownOnA, ["cmd_own_a"]);
      assert.deepEqual(ownOnB, ["cmd_own_b"]);
    } finally {
      offA();
      offB();
    }
  });

  test("a listener that throws does not stop the others, here or there", async () => {
    const others: string[] = [];
    const offA = a.bus.subscribe(() => {
      throw new Error("listener fails");
    });
    const offB = b.bus.subscribe(() => {
      throw new Error("listener fails");
    });
    const offB2 = b.bus.subscribe((event) => event.type === "command.updated" && others.push(event.command.id));
    try {
      assert.doesNotThrow(() => a.bus.publish(commandEvent("cmd_throw")));
      assert.ok(commandIds(a).includes("cmd_throw"));
      await eventually(() => others.includes("cmd_throw") && commandIds(b).includes("cmd_throw"), "B's other listeners got it", 10_000);
    } finally {
      offA();
      offB();
      offB2();
    }
  });

  test("an instance hears only what it listens to: one command's events while it waits for that command, every event while it has a listener of every event, nothing otherwise", async () => {
    const d = await busInstance(nats, "hub-d", false);
    try {
      const messagesToD = (): number => d.connection.nats.stats().inMsgs;
      const waited: string[] = [];
      const stopWaiting = d.bus.subscribeCommand("cmd_waited", (event) => waited.push(`${event.command.id}:${event.command.state}`));
      await delivered(a, d);
      const before = messagesToD();
      a.bus.publish(commandEvent("cmd_other"));
      a.bus.publish(alarmEvent);
      a.bus.publish(commandEvent("cmd_waited"));
      await eventually(() => waited.length === 1, "D got the command it waits for", 10_000);
      await delivered(a, d);
      assert.deepEqual(waited, ["cmd_waited:succeeded"]);
      assert.equal(messagesToD() - before, 1, "the other command's and the alarm's events never travelled to D");

      // D's own step of the command reaches its waiter at once (and does not come back from NATS).
      d.bus.publish(commandEvent("cmd_waited"));
      assert.equal(waited.length, 2);
      stopWaiting();
      await delivered(a, d);
      const afterWaiting = messagesToD();
      a.bus.publish(commandEvent("cmd_waited"));
      await delivered(a, d);
      assert.equal(messagesToD(), afterWaiting, "after the wait, the command's events no longer travel to D");

      const everything: string[] = [];
      const stopListening = d.bus.subscribe((event) => everything.push(event.type === "command.updated" ? event.command.id : event.type));
      await settled([d]);
      a.bus.publish(commandEvent("cmd_seen"));
      a.bus.publish(alarmEvent);
      await eventually(() => everything.length === 2, "D's listener of every event got both", 10_000);
      assert.deepEqual(everything, ["cmd_seen", "alarm.updated"]);
      stopListening();
      await settled([d]);
      const afterListening = messagesToD();
      a.bus.publish(commandEvent("cmd_unheard"));
      a.bus.publish(alarmEvent);
      await delivered(a, d);
      assert.equal(messagesToD(), afterListening, "without listeners, nothing travels to D");
      assert.deepEqual(waited.length, 2);
    } finally {
      d.bus.close();
      await d.connection.close();
    }
  });

  test("NATS away: publishing neither throws nor waits, past the offline buffer events are dropped and counted; restarted, the buses reconnect by themselves and events flow again", async () => {
    await nats.kill();
    await eventually(() => !a.connection.isConnected(), "A saw NATS go", 10_000);
    const before = commandIds(a).length;
    for (let i = 0; i < 50; i++) assert.doesNotThrow(() => a.bus.publish(commandEvent(`offline_${i}`)));
    assert.equal(commandIds(a).length, before + 50, "local listeners still get every event");
    assert.ok(a.dropped.length > 0, "50 events of ~700 bytes do not fit 4 KiB");
    assert.ok(a.dropped.every((kind) => kind === "event"));

    await nats.start();
    await eventually(() => [a, b, c].every((instance) => instance.connection.isConnected()), "every instance reconnected", 15_000);
    await settled([a, b, c]);
    b.bus.publish(commandEvent("after_restart"));
    await eventually(
      () => commandIds(a).includes("after_restart") && commandIds(c).includes("after_restart"),
      "A and C got B's event",
      10_000,
    );
    assert.ok(a.logged.some((line) => line.msg === "reconnected to NATS"));
    a.bus.publish(commandEvent("a_after_restart"));
    const flowing = a.logged.find((line) => line.msg === "notices to the other instances flow again") as { dropped?: number } | undefined;
    assert.equal(flowing?.dropped, a.dropped.length, "the first event published after the outage logs how many were dropped");
    await eventually(() => commandIds(b).includes("a_after_restart"), "B got A's event", 10_000);
  });
});
