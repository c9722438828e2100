import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type AckEvent, type DroppedEvent, FileBuffer, InvalidReadingError, MemoryBuffer, type RejectedEvent } from "../src/node/index.js";
import { ScriptedHub } from "./support/scripted-hub.js";
import { testClient } from "./support/test-client.js";
import { nextEvent, waitFor } from "./support/wait.js";

const seqs = (batches: { seq: number }[]): number[] => batches.map((b) => b.seq);

describe("TelehubClient: batching and delivery", () => {
  test("a batch closes at maxBatchReadings readings, and after batchIntervalMs otherwise", async (t) => {
    const hub = await ScriptedHub.start({ clockAheadMs: 1_000 });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 3, batchIntervalMs: 80 });
    await client.connect();
    const offset = client.clockOffsetMs;
    const sentAt = Date.now();
    for (let i = 0; i < 7; i++) client.send({ n: i, on: i % 2 === 0, s: "x" }, 1_700_000_000_000 + i);
    const session = hub.sessions[0]!;
    await session.waitForBatches(2);
    assert.deepEqual(
      session.batches.map((b) => b.r.length),
      [3, 3],
    );
    await session.waitForBatches(3);
    assert.ok(Date.now() - sentAt >= 70, "the last reading waited for the interval");
    const batches = session.batches;
    assert.deepEqual(seqs(batches), [1, 2, 3]);
    assert.deepEqual(batches[2]!.r, [{ ts: Math.round(1_700_000_000_006 + offset), m: { n: 6, on: true, s: "x" } }]);
  });

  test("readings taken before the first welcome get the measured clock offset; a previous run's batches do not", async (t) => {
    const HOURS_3 = 3 * 3_600_000;
    const hub = await ScriptedHub.start({ clockAheadMs: HOURS_3 });
    t.after(() => hub.close());
    const dir = mkdtempSync(join(tmpdir(), "telehub-restamp-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const buffer = await FileBuffer.open(join(dir, "buffer.log"), { fsync: false });
    t.after(() => buffer.close());
    // A batch left by an earlier run whose clock this run cannot know: sent as it was stored.
    buffer.append([{ ts: 1_600_000_000_000, m: { n: -1 } }]);
    const client = testClient(t, hub, { buffer, maxBatchReadings: 2, batchIntervalMs: 60_000 });
    const T = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) client.send({ n: i }, T + i); // two sealed batches and one open reading
    const connected = nextEvent<{ restampedReadings: number; clockOffsetMs: number }>(client, "connected");
    await client.connect();
    const info = await connected;
    assert.equal(info.restampedReadings, 5);
    const offset = client.clockOffsetMs;
    assert.ok(Math.abs(offset - HOURS_3) < 100, `offset ${offset}`);
    client.send({ n: 5 }, T + 5);
    await client.flush(3_000);
    const sent = hub.sessions[0]!.batches.flatMap((b) => b.r);
    assert.deepEqual(sent, [
      { ts: 1_600_000_000_000, m: { n: -1 } },
      ...Array.from({ length: 6 }, (_, i) => ({ ts: Math.round(T + i + offset), m: { n: i } })),
    ]);
  });

  test("a second welcome re-stamps nothing: readings taken offline after the first carry the offset already", async (t) => {
    const hub = await ScriptedHub.start({ clockAheadMs: 60_000 });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    const offset = client.clockOffsetMs;
    hub.sessions[0]!.ws.terminate();
    await waitFor(() => !client.connected, 3_000, "the client saw the drop");
    client.send({ n: 1 }, 1_700_000_000_000);
    const again = nextEvent<{ restampedReadings: number }>(client, "connected");
    assert.equal((await again).restampedReadings, 0);
    await client.flush(3_000);
    const session = hub.sessions.at(-1)!;
    assert.equal(session.batches.at(-1)!.r[0]!.ts, Math.round(1_700_000_000_000 + offset));
  });

  test("acks are cumulative and empty the buffer", async (t) => {
    const hub = await ScriptedHub.start({ onBatch: () => "ignore" });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 2 });
    await client.connect();
    for (let i = 0; i < 6; i++) client.send({ n: i });
    const session = hub.sessions[0]!;
    await session.waitForBatches(3);
    assert.equal(client.stats.bufferedReadings, 6);
    const acks: AckEvent[] = [];
    client.on("ack", (ack) => acks.push(ack));
    session.ack(3);
    await waitFor(() => acks.length === 1);
    assert.deepEqual(acks, [{ seq: 3, readings: 6, batches: 3 }]);
    const stats = client.stats;
    assert.deepEqual([stats.bufferedReadings, stats.ackedBatches, stats.ackedReadings, stats.sentBatches], [0, 3, 6, 3]);
    assert.ok(stats.lastAckLatencyMs !== undefined && stats.lastAckLatencyMs >= 0);
  });

  test("unacknowledged batches are resent after a reconnect, in order, with their original seqs", async (t) => {
    const hub = await ScriptedHub.start({ onBatch: (_batch, session) => (session === hub.sessions[0] ? "ignore" : "ack") });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    for (let i = 0; i < 3; i++) client.send({ n: i });
    const first = hub.sessions[0]!;
    const sent = await first.waitForBatches(3);
    first.close(1011, "TH_INTERNAL");
    const second = await hub.session(1);
    const resent = await second.waitForBatches(3);
    assert.deepEqual(resent, sent);
    await client.flush(2_000);
    assert.equal(hub.durableSeq, 3);
  });

  test("an unsynced buffer is renumbered from welcome.seq + 1 at the first welcome", async (t) => {
    const hub = await ScriptedHub.start();
    hub.durableSeq = 41;
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    client.send({ n: 0 });
    client.send({ n: 1 });
    await client.connect();
    const batches = await hub.sessions[0]!.waitForBatches(2);
    assert.deepEqual(seqs(batches), [42, 43]);
    assert.deepEqual(
      batches.map((b) => b.r[0]!.m.n),
      [0, 1],
    );
    client.send({ n: 2 });
    assert.deepEqual(seqs(await hub.sessions[0]!.waitForBatches(3)).at(-1), 44);
  });

  test("a synced buffer drops batches ≤ welcome.seq (durable, ack lost) and resends the rest", async (t) => {
    const hub = await ScriptedHub.start({ onBatch: () => "ignore" });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    for (let i = 0; i < 3; i++) client.send({ n: i });
    await hub.sessions[0]!.waitForBatches(3);
    hub.durableSeq = 2; // the hub made 1 and 2 durable; the acks never arrived
    const ack = nextEvent<AckEvent>(client, "ack");
    hub.sessions[0]!.close(1011);
    const second = await hub.session(1);
    assert.deepEqual(await ack, { seq: 2, readings: 2, batches: 2 });
    await second.waitForBatches(1);
    await sleep(50);
    assert.deepEqual(seqs(second.batches), [3]);
  });

  test("TH_RATE_LIMITED: nothing is sent for `retry` ms, then everything from the refused seq, in order", async (t) => {
    let refusedAt = 0;
    let refusing = false;
    const hub = await ScriptedHub.start({
      lim: { inflight: 8 },
      // Like the hub: after refusing 2, refuse everything after it until 2 comes again.
      onBatch: (batch, session) => {
        if (refusedAt === 0 && batch.seq === 2) {
          refusedAt = Date.now();
          refusing = true;
          session.send({ t: "error", code: "TH_RATE_LIMITED", msg: "slow down", seq: 2, retry: 300 });
          return "ignore";
        }
        if (refusing && batch.seq > 2) {
          session.send({ t: "error", code: "TH_RATE_LIMITED", msg: "resend from 2 first", seq: batch.seq, retry: 50 });
          return "ignore";
        }
        refusing = false;
        return "ack";
      },
    });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    const session = hub.sessions[0]!;
    client.send({ n: 1 });
    await session.waitForBatches(1);
    for (let i = 2; i <= 4; i++) client.send({ n: i });
    await session.waitForBatches(4);
    assert.deepEqual(seqs(session.batches), [1, 2, 3, 4]);
    await sleep(200);
    assert.equal(session.batches.length, 4, "nothing resent during the pause");
    await session.waitForBatches(7);
    const resentAt = Date.now();
    assert.ok(resentAt - refusedAt >= 290, `resent after ${resentAt - refusedAt} ms`);
    assert.deepEqual(seqs(session.batches).slice(4), [2, 3, 4]);
    assert.equal(session.batches[4]!.rs, undefined, "no resume marker: the refused batch itself was resent");
    await client.flush(1_000);
  });

  test("when the refused batch was dropped by overflow during the pause, the resend carries rs: true", async (t) => {
    let refused = false;
    const hub = await ScriptedHub.start({
      onBatch: (batch, session) => {
        if (!refused) {
          refused = true;
          session.send({ t: "error", code: "TH_STORE_UNAVAILABLE", msg: "store down", seq: batch.seq, retry: 150 });
        }
        return "ignore";
      },
    });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1, buffer: new MemoryBuffer({ maxReadings: 2 }) });
    await client.connect();
    const session = hub.sessions[0]!;
    client.send({ n: 1 });
    await session.waitForBatches(1);
    await waitFor(() => refused);
    await sleep(20);
    for (let i = 2; i <= 4; i++) client.send({ n: i });
    const batches = await session.waitForBatches(3);
    assert.deepEqual(
      batches.slice(1).map((b) => [b.seq, b.rs]),
      [
        [3, true],
        [4, undefined],
      ],
    );
  });

  // §4.4: a seq and no retry is a permanent refusal whatever the code, later versions' codes included.
  for (const code of ["TH_BATCH_INVALID", "TH_TYPE_CONFLICT", "TH_METRIC_LIMIT", "TH_TIMESTAMP_OUT_OF_RANGE", "TH_FROM_A_LATER_VERSION"]) {
    test(`${code} (seq, no retry) drops that batch for good and reports it as rejected`, async (t) => {
      const hub = await ScriptedHub.start({
        onBatch: (batch, session) => {
          if (batch.seq !== 2) return "ack";
          session.send({ t: "error", code, msg: "bad batch", seq: 2 });
          return "ignore";
        },
      });
      t.after(() => hub.close());
      const client = testClient(t, hub, { maxBatchReadings: 2 });
      await client.connect();
      const rejected = nextEvent<RejectedEvent>(client, "rejected");
      for (let i = 0; i < 6; i++) client.send({ n: i });
      assert.deepEqual(await rejected, { seq: 2, code, message: "bad batch", readings: 2 });
      await client.flush(1_000);
      assert.equal(client.stats.rejectedBatches, 1);
      assert.deepEqual(seqs(hub.sessions[0]!.batches), [1, 2, 3], "nothing after the refusal is held back, the refused batch not resent");
      hub.sessions[0]!.close(1011);
      await hub.greeted(1);
      await sleep(50);
      assert.deepEqual(hub.sessions[1]!.batches, [], "a rejected batch is never resent");
    });
  }

  test("an error with seq and retry, whatever its code, is retryable: the batch is resent after retry ms", async (t) => {
    let refused = false;
    const hub = await ScriptedHub.start({
      onBatch: (batch, session) => {
        if (batch.seq !== 1 || refused) return "ack";
        refused = true;
        session.send({ t: "error", code: "TH_FROM_A_LATER_VERSION", msg: "later", seq: 1, retry: 30 });
        return "ignore";
      },
    });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    let rejections = 0;
    client.on("rejected", () => rejections++);
    client.send({ n: 1 });
    await client.flush(2_000);
    assert.deepEqual(seqs(hub.sessions[0]!.batches), [1, 1]);
    assert.equal(rejections, 0);
  });

  test("TH_RATE_LIMITED without a seq (a control frame over the rate) pauses sending for its retry, and drops nothing", async (t) => {
    const hub = await ScriptedHub.start();
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    const session = hub.sessions[0]!;
    session.send({ t: "error", code: "TH_RATE_LIMITED", msg: "frame dropped: over maxFramesPerSecond", retry: 60_000 });
    // A command after it: its cmd_ack shows the client has handled the error.
    session.send({ t: "cmd", id: "c-1", name: "nothing", args: {} });
    await waitFor(() => session.frames.some((f) => f.t === "cmd_ack"), 2_000, "cmd_ack");
    client.send({ n: 1 });
    await assert.rejects(client.flush(300), { code: "TH_CLIENT_FLUSH_TIMEOUT" }, "paused for the minute the hub asked");
    assert.deepEqual(session.batches, []);
    assert.equal(client.stats.rejectedBatches, 0);
    assert.equal(client.stats.bufferedReadings, 1);
  });

  test("at most welcome.lim.inflight batches are unacknowledged at a time", async (t) => {
    const hub = await ScriptedHub.start({ lim: { inflight: 2 }, onBatch: () => "ignore" });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1 });
    await client.connect();
    for (let i = 0; i < 5; i++) client.send({ n: i });
    const session = hub.sessions[0]!;
    await session.waitForBatches(2);
    await sleep(100);
    assert.deepEqual(seqs(session.batches), [1, 2]);
    session.ack(1);
    await session.waitForBatches(3);
    await sleep(50);
    assert.deepEqual(seqs(session.batches), [1, 2, 3]);
    session.ack(3);
    await session.waitForBatches(5);
    assert.deepEqual(seqs(session.batches), [1, 2, 3, 4, 5]);
  });

  test("batches take at most min(maxBatchReadings, lim.batch) readings", async (t) => {
    const hub = await ScriptedHub.start({ lim: { batch: 4 } });
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 50 });
    await client.connect();
    for (let i = 0; i < 9; i++) client.send({ n: i });
    const batches = await hub.sessions[0]!.waitForBatches(3);
    assert.deepEqual(
      batches.map((b) => b.r.length),
      [4, 4, 1],
    );
  });

  test("send() refuses readings the hub would reject, with an InvalidReadingError (a TypeError)", async (t) => {
    const hub = await ScriptedHub.start({ lim: { metrics: 2, str: 8 } });
    t.after(() => hub.close());
    const client = testClient(t, hub);
    const bad: Array<[unknown, RegExp]> = [
      [{}, /at least one metric/],
      [{ "bad name": 1 }, /metric name/],
      [{ _x: 1 }, /metric name/],
      [{ ["a".repeat(65)]: 1 }, /longer than 64 bytes/],
      [{ n: Number.NaN }, /finite/],
      [{ n: Number.POSITIVE_INFINITY }, /finite/],
      [{ n: null }, /number, boolean or string/],
      [{ n: { nested: 1 } }, /number, boolean or string/],
      [null, /metrics must be an object/],
    ];
    for (const [metrics, message] of bad) {
      assert.throws(
        () => client.send(metrics as Record<string, number>),
        (error: unknown) => error instanceof InvalidReadingError && error instanceof TypeError && message.test(error.message),
      );
    }
    assert.throws(() => client.send({ n: 1 }, -5), InvalidReadingError);
    await client.connect();
    assert.throws(() => client.send({ a: 1, b: 2, c: 3 }), /exceed the hub's limit of 2/);
    assert.throws(() => client.send({ s: "123456789" }), /longer than 8 bytes/);
    // lim.str counts UTF-8 bytes: 4 × "é" is 8 bytes (4 UTF-16 units), 5 × "é" is 10.
    assert.throws(() => client.send({ s: "ééééé" }), /longer than 8 bytes/);
    client.send({ s: "éééé" });
    assert.equal(client.stats.bufferedReadings, 1);
    await client.flush(1_000);
    assert.equal(client.stats.bufferedReadings, 0);
  });

  test("a full buffer drops its oldest batches and reports them", async (t) => {
    const hub = await ScriptedHub.start();
    t.after(() => hub.close());
    const client = testClient(t, hub, { maxBatchReadings: 1, buffer: new MemoryBuffer({ maxReadings: 2 }) });
    const dropped: DroppedEvent[] = [];
    client.on("dropped", (event) => dropped.push(event));
    for (let i = 0; i < 5; i++) client.send({ n: i });
    assert.deepEqual(dropped, Array(3).fill({ batches: 1, readings: 1, reason: "overflow" }));
    assert.equal(client.stats.droppedReadings, 3);
    await client.connect();
    const batches = await hub.sessions[0]!.waitForBatches(2);
    assert.deepEqual(
      batches.map((b) => b.r[0]!.m.n),
      [3, 4],
    );
  });
});
