import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Alarm, AlarmTransition } from "../src/alarms/alarm.js";
import { type EventBus, InProcessEventBus } from "../src/events/event-bus.js";
import { LiveHub } from "../src/live/live-hub.js";
import type { LiveMessage } from "../src/live/live-message.js";
import type { LiveSubscriber } from "../src/live/live-subscriber.js";
import type { LiveUpdate } from "../src/live/live-update.js";
import { HubMetrics } from "../src/metrics.js";

/** A live connection's sink that records the messages as sent; its unsent-bytes count is set by the test. */
function recordingSink() {
  const messages: LiveMessage[] = [];
  const state = { buffered: 0 };
  return {
    messages,
    state,
    updates: () => messages.map((m) => JSON.parse(m.text) as LiveUpdate),
    sink: { bufferedBytes: () => state.buffered, send: (message: LiveMessage) => messages.push(message), close: () => undefined },
  };
}

const hubs: LiveHub[] = [];
after(() => {
  for (const hub of hubs) hub.close();
});

function liveHub(bus: EventBus = new InProcessEventBus()): LiveHub {
  const hub = new LiveHub(
    { flushIntervalMs: 0, maxBufferedBytes: 1_000, maxQueuedEvents: 100, maxSubscribers: 100, maxSubscribersPerCaller: 100 },
    bus,
    new HubMetrics(),
  );
  hubs.push(hub);
  return hub;
}

function attach(hub: LiveHub, owner: string, ...topics: string[]): ReturnType<typeof recordingSink> & { subscriber: LiveSubscriber } {
  const sink = recordingSink();
  const subscriber = hub.attach(sink.sink, [owner]) as LiveSubscriber;
  subscriber.subscribe(topics);
  return { ...sink, subscriber };
}

test("connections with the same topics get one message, encoded once; a connection with other topics gets its own part", () => {
  const hub = liveHub();
  const all = Array.from({ length: 5 }, (_, i) => attach(hub, `key:${i}`, "telemetry:*", "presence:*"));
  const sameInOtherOrder = attach(hub, "key:other-order", "presence:*", "telemetry:*");
  const one = attach(hub, "key:one", "telemetry:d2");
  hub.publishReadings("d1", [{ ts: 1_000, metrics: { t: 21.5 } }]);
  hub.publishReadings("d2", [{ ts: 1_000, metrics: { on: true } }]);
  hub.presenceChanged("d1", true, 1_001);
  hub.flush();
  const message = all[0]?.messages[0];
  assert.ok(message);
  for (const sink of [...all, sameInOtherOrder]) {
    assert.equal(sink.messages.length, 1);
    assert.equal(sink.messages[0], message, "the same message object, not an equal one");
  }
  assert.equal(
    message.text,
    JSON.stringify({
      type: "update",
      telemetry: [
        { deviceId: "d1", metric: "t", ts: 1_000, value: 21.5 },
        { deviceId: "d2", metric: "on", ts: 1_000, value: true },
      ],
      commands: [],
      presence: [{ deviceId: "d1", connected: true, at: 1_001 }],
      config: [],
      alarms: [],
      dropped: 0,
    }),
    "the wire format is what JSON.stringify of the update gives",
  );
  assert.deepEqual(one.updates()[0]?.telemetry, [{ deviceId: "d2", metric: "on", ts: 1_000, value: true }]);
  assert.deepEqual(one.updates()[0]?.presence, []);
});

test("a slow connection coalesces while the others get every batch at once; then it gets the newest values", () => {
  const hub = liveHub();
  const slow = attach(hub, "key:slow", "telemetry:*");
  const fast = attach(hub, "key:fast", "telemetry:*");
  slow.state.buffered = 5_000;
  for (let i = 1; i <= 100; i++) {
    hub.publishReadings("d", [{ ts: i, metrics: { x: i } }]);
    hub.flush();
  }
  assert.equal(slow.messages.length, 0);
  assert.deepEqual(
    fast.updates().map((u) => u.telemetry[0]?.value),
    Array.from({ length: 100 }, (_, i) => i + 1),
    "one message per batch, none held back",
  );
  slow.state.buffered = 0;
  hub.flush();
  assert.deepEqual(slow.updates(), [
    {
      type: "update",
      telemetry: [{ deviceId: "d", metric: "x", ts: 100, value: 100 }],
      commands: [],
      presence: [],
      config: [],
      alarms: [],
      dropped: 0,
    },
  ]);
  assert.equal(fast.messages.length, 100, "nothing new for the connection that kept up");
});

test("news outside every connection's topics sends nothing", () => {
  const hub = liveHub();
  const sink = attach(hub, "key:a", "telemetry:d1");
  hub.publishReadings("d2", [{ ts: 1, metrics: { x: 1 } }]);
  hub.presenceChanged("d1", true, 2);
  hub.flush();
  assert.equal(sink.messages.length, 0);
});

test("an alarm step goes to alarms:* and to alarms:<its device>, not to another device's topic", () => {
  const bus = new InProcessEventBus();
  const hub = liveHub(bus);
  const everyDevice = attach(hub, "key:all", "alarms:*");
  const itsDevice = attach(hub, "key:d1", "alarms:d1");
  const otherDevice = attach(hub, "key:d2", "alarms:d2", "telemetry:*");
  const alarm: Alarm = {
    id: "alm_1",
    ruleId: "rule_1",
    ruleName: "Too hot",
    deviceId: "d1",
    profileId: null,
    severity: "major",
    peakSeverity: "major",
    status: "active",
    acknowledged: false,
    raisedAt: 1_000,
    updatedAt: 1_000,
    clearedAt: null,
    clearedBy: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    value: 91,
    message: "t 91 above 90",
  };
  const transition: AlarmTransition = {
    alarmId: "alm_1",
    seq: 1,
    kind: "raised",
    at: 1_000,
    severity: "major",
    by: "rule",
    byName: null,
    comment: null,
    value: 91,
  };
  bus.publish({ type: "alarm.updated", at: 1_001, alarm, transition });
  hub.flush();
  for (const sink of [everyDevice, itsDevice]) assert.deepEqual(sink.updates()[0]?.alarms, [{ alarm, transition }]);
  assert.equal(otherDevice.messages.length, 0);
});

test("the live channel listens to the event bus only while a connection is attached (a cluster instance then hears events only while a dashboard is open there)", () => {
  const bus = new InProcessEventBus();
  let listening = 0;
  const counting = {
    publish: (event: Parameters<InProcessEventBus["publish"]>[0]) => bus.publish(event),
    subscribe: (listener: Parameters<InProcessEventBus["subscribe"]>[0]) => {
      listening++;
      const off = bus.subscribe(listener);
      return () => {
        listening--;
        off();
      };
    },
    subscribeCommand: bus.subscribeCommand.bind(bus),
  };
  const hub = liveHub(counting);
  assert.equal(listening, 0, "no connection: not listening");
  const first = hub.attach(recordingSink().sink, ["key:a"]) as LiveSubscriber;
  const second = attach(hub, "key:b", "commands:*");
  assert.equal(listening, 1, "one listener for every connection");
  hub.detach(first);
  assert.equal(listening, 1);
  bus.publish({
    type: "command.updated",
    at: 5,
    command: {
      id: "c1",
      deviceId: "d1",
      name: "ping",
      args: {},
      state: "queued",
      createdAt: 5,
      updatedAt: 5,
      expiresAt: 10,
      timeoutMs: 5,
      attempts: 0,
      result: null,
      error: null,
      idempotencyKey: null,
      createdBy: null,
      transitions: [{ state: "queued", at: 5 }],
    },
  });
  hub.flush();
  assert.deepEqual(
    second.updates().flatMap((update) => update.commands.map((command) => command.id)),
    ["c1"],
  );
  hub.detach(second.subscriber);
  assert.equal(listening, 0, "the last connection gone: not listening");
  hub.attach(recordingSink().sink, ["key:c"]);
  assert.equal(listening, 1, "listening again");
  hub.close();
  assert.equal(listening, 0, "closed: not listening");
});
