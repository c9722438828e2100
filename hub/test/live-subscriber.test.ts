import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandRecord } from "../src/commands/command-record.js";
import { LiveBatch } from "../src/live/live-batch.js";
import type { LiveMessage } from "../src/live/live-message.js";
import { LiveSubscriber } from "../src/live/live-subscriber.js";
import type { LiveUpdate, LiveValue } from "../src/live/live-update.js";

/**
 * The subscriber's bookkeeping with a sink whose unsent-bytes count the test sets: a socket
 * that stays full long enough to show the bound cannot be produced reliably on loopback
 * (kernel buffers absorb megabytes), so the full socket is stood in for here.
 */
function fullSocketStandIn() {
  const sent: LiveUpdate[] = [];
  let buffered = 0;
  return {
    sent,
    setBuffered: (bytes: number) => {
      buffered = bytes;
    },
    sink: {
      bufferedBytes: () => buffered,
      send: (message: LiveMessage) => sent.push(JSON.parse(message.text) as LiveUpdate),
      close: () => undefined,
    },
  };
}

/** A batch of telemetry values, as one turn of the hub's event loop gathers them. */
function batchOf(...values: LiveValue[]): LiveBatch {
  const batch = new LiveBatch();
  for (const value of values) batch.addValue(value);
  return batch;
}

test("while the connection is full nothing is sent and telemetry keeps one entry per metric; then the newest values go out at once", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 10 });
  subscriber.subscribe(["telemetry:*"]);
  socket.setBuffered(5_000);
  for (let i = 0; i < 10_000; i++) {
    subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: i, value: i }, { deviceId: "d", metric: "b", ts: i, value: i % 2 === 0 }));
  }
  assert.equal(socket.sent.length, 0);
  assert.equal(subscriber.pending, 2, "bounded by metrics, not by readings");
  assert.equal(subscriber.coalesced, 19_998);
  socket.setBuffered(0);
  subscriber.deliver(undefined);
  assert.deepEqual(socket.sent[0]?.telemetry, [
    { deviceId: "d", metric: "a", ts: 9_999, value: 9_999 },
    { deviceId: "d", metric: "b", ts: 9_999, value: false },
  ]);
  assert.equal(subscriber.pending, 0);
});

test("an older reading never replaces a newer one (latest means newest device timestamp), in a batch or in a backlog", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 10 });
  subscriber.subscribe(["telemetry:d"]);
  subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: 200, value: 2 }, { deviceId: "d", metric: "a", ts: 100, value: 1 }));
  assert.deepEqual(
    socket.sent[0]?.telemetry.map((v) => v.value),
    [2],
  );
  socket.setBuffered(5_000);
  subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: 400, value: 4 }));
  subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: 300, value: 3 }));
  socket.setBuffered(0);
  subscriber.deliver(undefined);
  assert.deepEqual(
    socket.sent[1]?.telemetry.map((v) => v.value),
    [4],
  );
});

test("events queue in order up to maxQueuedEvents; beyond, the oldest are dropped and the client is told how many", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 3 });
  subscriber.subscribe(["commands:*"]);
  socket.setBuffered(5_000);
  for (let i = 0; i < 5; i++) {
    const batch = new LiveBatch();
    batch.addEvent("commands", "d", i, { id: `c${i}`, deviceId: "d", updatedAt: i } as CommandRecord);
    subscriber.deliver(batch);
  }
  assert.equal(subscriber.pending, 3);
  socket.setBuffered(0);
  subscriber.deliver(undefined);
  assert.deepEqual(
    socket.sent[0]?.commands.map((c) => c.id),
    ["c2", "c3", "c4"],
  );
  assert.equal(socket.sent[0]?.dropped, 2);
});

test("at most one message per flush interval: an idle connection gets news at once, a busy one in gathered steps", () => {
  const socket = fullSocketStandIn();
  let now = 1_000;
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 10, flushIntervalMs: 10 }, () => now);
  subscriber.subscribe(["telemetry:*"]);
  subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: 1, value: 1 }));
  assert.equal(socket.sent.length, 1, "sent at once");
  subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: 2, value: 2 }));
  subscriber.deliver(batchOf({ deviceId: "d", metric: "a", ts: 3, value: 3 }));
  now += 5;
  subscriber.deliver(undefined);
  assert.equal(socket.sent.length, 1, "held within the interval");
  now += 5;
  subscriber.deliver(undefined);
  assert.equal(socket.sent.length, 2);
  assert.deepEqual(socket.sent[1]?.telemetry, [{ deviceId: "d", metric: "a", ts: 3, value: 3 }]);
});

test("a connection takes only its topics' part of a batch", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 10 });
  subscriber.subscribe(["telemetry:wanted", "presence:*"]);
  const batch = batchOf({ deviceId: "wanted", metric: "x", ts: 1, value: 1 }, { deviceId: "other", metric: "x", ts: 1, value: 2 });
  batch.addEvent("presence", "other", 5, { deviceId: "other", connected: true, at: 5 });
  batch.addEvent("commands", "wanted", 6, { id: "c1", deviceId: "wanted", updatedAt: 6 } as CommandRecord);
  subscriber.deliver(batch);
  assert.deepEqual(socket.sent, [
    {
      type: "update",
      telemetry: [{ deviceId: "wanted", metric: "x", ts: 1, value: 1 }],
      commands: [],
      presence: [{ deviceId: "other", connected: true, at: 5 }],
      config: [],
      alarms: [],
      dropped: 0,
    },
  ]);
});
