import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandRecord } from "../src/commands/command-record.js";
import { LiveSubscriber } from "../src/live/live-subscriber.js";
import type { LiveUpdate } from "../src/live/live-update.js";

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
    sink: { bufferedBytes: () => buffered, send: (update: LiveUpdate) => sent.push(update), close: () => undefined },
  };
}

test("while the connection is full nothing is sent and telemetry keeps one entry per metric; then the newest values go out at once", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 10 });
  subscriber.subscribe(["telemetry:*"]);
  socket.setBuffered(5_000);
  for (let i = 0; i < 10_000; i++) {
    subscriber.addValue({ deviceId: "d", metric: "a", ts: i, value: i });
    subscriber.addValue({ deviceId: "d", metric: "b", ts: i, value: i % 2 === 0 });
    subscriber.flush();
  }
  assert.equal(socket.sent.length, 0);
  assert.equal(subscriber.pending, 2, "bounded by metrics, not by readings");
  assert.equal(subscriber.coalesced, 19_998);
  socket.setBuffered(0);
  subscriber.flush();
  assert.deepEqual(socket.sent[0]?.telemetry, [
    { deviceId: "d", metric: "a", ts: 9_999, value: 9_999 },
    { deviceId: "d", metric: "b", ts: 9_999, value: false },
  ]);
  assert.equal(subscriber.pending, 0);
});

test("an older reading never replaces a newer one (latest means newest device timestamp)", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 10 });
  subscriber.addValue({ deviceId: "d", metric: "a", ts: 200, value: 2 });
  subscriber.addValue({ deviceId: "d", metric: "a", ts: 100, value: 1 });
  subscriber.flush();
  assert.equal(socket.sent[0]?.telemetry[0]?.value, 2);
});

test("events queue in order up to maxQueuedEvents; beyond, the oldest are dropped and the client is told how many", () => {
  const socket = fullSocketStandIn();
  const subscriber = new LiveSubscriber(socket.sink, { maxBufferedBytes: 1_000, maxQueuedEvents: 3 });
  socket.setBuffered(5_000);
  for (let i = 0; i < 5; i++) subscriber.addEvent("commands", { id: `c${i}`, updatedAt: i } as CommandRecord);
  subscriber.flush();
  assert.equal(subscriber.pending, 3);
  socket.setBuffered(0);
  subscriber.flush();
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
  subscriber.addValue({ deviceId: "d", metric: "a", ts: 1, value: 1 });
  subscriber.flush();
  assert.equal(socket.sent.length, 1, "sent at once");
  subscriber.addValue({ deviceId: "d", metric: "a", ts: 2, value: 2 });
  subscriber.addValue({ deviceId: "d", metric: "a", ts: 3, value: 3 });
  now += 5;
  subscriber.flush();
  assert.equal(socket.sent.length, 1, "held within the interval");
  now += 5;
  subscriber.flush();
  assert.equal(socket.sent.length, 2);
  assert.deepEqual(socket.sent[1]?.telemetry, [{ deviceId: "d", metric: "a", ts: 3, value: 3 }]);
});
