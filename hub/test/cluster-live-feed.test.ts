import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MetricValue } from "@telehub/device-client/protocol";
import { ClusterLiveFeed } from "../src/cluster/cluster-live-feed.js";
import { clusterNames } from "../src/cluster/cluster-names.js";
import { decodeLiveNotice, encodePresence, encodeReadings } from "../src/cluster/live-notice-codec.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { InProcessEventBus } from "../src/events/event-bus.js";
import { ReadingFreshness } from "../src/fleet/reading-freshness.js";
import { type LiveFeed, LiveHub, type LiveInterest } from "../src/live/live-hub.js";
import type { LiveMessage } from "../src/live/live-message.js";
import type { LivePresence, LiveUpdate, LiveValue } from "../src/live/live-update.js";
import { HubMetrics } from "../src/metrics.js";
import { connectTestInstance, type TestInstance } from "./support/cluster-instance.js";
import { eventually } from "./support/eventually.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";

// Issue #21: "a dashboard connected to any instance sees every device". Three "instances" in one
// process, each with its own NATS connection, a real LiveHub behind a ReadingFreshness (as the
// hub wires them) and a dashboard connection subscribed to every device's telemetry and presence.

const names = clusterNames("live_test");
const DEVICE = "plant.hall:7_b";

interface LiveInstance extends TestInstance {
  feed: ClusterLiveFeed;
  hub: LiveHub;
  telemetry: LiveValue[];
  presence: LivePresence[];
}

async function liveInstance(nats: NatsServer, id: string): Promise<LiveInstance> {
  const instance = await connectTestInstance(nats.url, id);
  const hub = new LiveHub(DEFAULT_CONFIG.live, new InProcessEventBus(), new HubMetrics());
  const telemetry: LiveValue[] = [];
  const presence: LivePresence[] = [];
  const dashboard = hub.attach(
    {
      bufferedBytes: () => 0,
      send: (message: LiveMessage) => {
        const update = JSON.parse(message.text) as LiveUpdate;
        telemetry.push(...update.telemetry);
        presence.push(...update.presence);
      },
      close: () => undefined,
    },
    [`key:${id}`],
  );
  assert.ok(typeof dashboard === "object");
  dashboard.subscribe(["telemetry:*", "presence:*"]);
  const feed = new ClusterLiveFeed(new ReadingFreshness(hub), hub, instance.notices, names, instance.log);
  return { ...instance, feed, hub, telemetry, presence };
}

/** Every connection's subscriptions are on the server, and what each published before has come back to it. */
async function settled(instances: LiveInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.connection.nats.flush()));
  // The LiveHub sends what a turn gathered at the end of the turn.
  await new Promise((resolve) => setImmediate(resolve));
}

const presenceOf = (instance: LiveInstance, deviceId: string): boolean[] =>
  instance.presence.filter((entry) => entry.deviceId === deviceId).map((entry) => entry.connected);

describe("live notices (wire form)", () => {
  test("readings and presence come back as they were: every value type, ms timestamps, a metric named __proto__", () => {
    const metrics: Record<string, MetricValue> = { temperature: 21.53, count: -7, on: false, mode: "éco ✓" };
    Object.defineProperty(metrics, "__proto__", { value: 1, enumerable: true, writable: true, configurable: true });
    const readings = [
      { ts: 1_765_035_600_123, metrics },
      { ts: 0, metrics: { big: 2 ** 53 - 1, tiny: 5e-324 } },
    ];
    const decoded = decodeLiveNotice(encodeReadings(readings));
    assert.ok(decoded?.kind === "readings");
    assert.deepEqual(decoded.readings, readings);
    assert.deepEqual(Object.keys(decoded.readings[0]?.metrics ?? {}), ["temperature", "count", "on", "mode", "__proto__"]);
    assert.deepEqual(decodeLiveNotice(encodePresence(true, 1_765_035_600_123)), {
      kind: "presence",
      connected: true,
      at: 1_765_035_600_123,
    });
    assert.equal(decodeLiveNotice(encodePresence(false, 1).subarray(0, 1)), undefined);
    assert.equal(decodeLiveNotice(new TextEncoder().encode('"text"').subarray(0, 1)), undefined);
  });
});

describe("cluster live feed", { skip: requireNats() }, () => {
  let nats: NatsServer;
  let a: LiveInstance;
  let b: LiveInstance;
  let c: LiveInstance;

  before(async () => {
    nats = await startNats();
    [a, b, c] = (await Promise.all(["hub-a", "hub-b", "hub-c"].map((id) => liveInstance(nats, id)))) as [
      LiveInstance,
      LiveInstance,
      LiveInstance,
    ];
  });
  after(async () => {
    for (const instance of [a, b, c]) {
      instance?.feed.close();
      instance?.hub.close();
      await instance?.connection.close();
    }
    await nats?.stop();
  });

  test("readings of a device on A reach the dashboards on B and C, and A's own once", async () => {
    await settled([a, b, c]);
    a.feed.publishReadings(DEVICE, [{ ts: 1_000, metrics: { temperature: 21.5, mode: "eco", on: true } }]);
    const expected: LiveValue[] = [
      { deviceId: DEVICE, metric: "temperature", ts: 1_000, value: 21.5 },
      { deviceId: DEVICE, metric: "mode", ts: 1_000, value: "eco" },
      { deviceId: DEVICE, metric: "on", ts: 1_000, value: true },
    ];
    await eventually(() => b.telemetry.length === 3 && c.telemetry.length === 3, "B's and C's dashboards got the readings", 10_000);
    assert.deepEqual(b.telemetry, expected);
    assert.deepEqual(c.telemetry, expected);
    // A's own notice came back from NATS by now: A's dashboard got the readings once, from A itself.
    await settled([a]);
    assert.deepEqual(a.telemetry, expected);
  });

  test("presence: connected on some instance; a device that moves stays connected, and leaves when its last instance says so", async () => {
    const moving = "mover";
    a.feed.presenceChanged(moving, true, 10);
    await eventually(() => presenceOf(c, moving).length === 1 && presenceOf(b, moving).length === 1, "B and C saw it connect", 10_000);
    // It reconnects to B; A notices its old session closed afterwards (after B's news reached A:
    // the server sent it to A before answering A's flush, which B's flush came before).
    b.feed.presenceChanged(moving, true, 20);
    await settled([b]);
    await settled([a]);
    a.feed.presenceChanged(moving, false, 21);
    await settled([a]);
    b.feed.presenceChanged("marker", true, 22);
    await eventually(() => presenceOf(c, "marker").length === 1 && presenceOf(a, "marker").length === 1, "C and A saw the marker", 10_000);
    assert.deepEqual(presenceOf(c, moving), [true], "C: still connected (on B)");
    assert.deepEqual(presenceOf(b, moving), [true]);
    assert.deepEqual(presenceOf(a, moving), [true], "A: connected on B, though its own session closed");

    b.feed.presenceChanged(moving, false, 30);
    await eventually(() => presenceOf(c, moving).length === 2 && presenceOf(a, moving).length === 2, "A and C saw it leave", 10_000);
    assert.deepEqual(presenceOf(c, moving), [true, false]);
    assert.deepEqual(presenceOf(a, moving), [true, false]);
    assert.deepEqual(presenceOf(b, moving), [true, false]);
  });

  test("an instance nobody watches receives no readings, only presence and, once a second, each device's newest reading time; a dashboard opening there starts the readings, its leaving stops them", async () => {
    const instance = await connectTestInstance(nats.url, "hub-d");
    const heard = { readings: [] as string[], newest: new Map<string, number>(), presence: [] as string[] };
    const local: LiveFeed = {
      publishReadings: (deviceId, readings) => heard.readings.push(...readings.map((r) => `${deviceId}@${r.ts}`)),
      presenceChanged: (deviceId, connected) => heard.presence.push(`${deviceId}:${connected}`),
      newestElsewhere: (deviceId, ts) => heard.newest.set(deviceId, ts),
    };
    let tell: ((watched: boolean) => void) | undefined;
    const interest: LiveInterest & { watched: boolean } = {
      watched: false,
      onWatchedChange: (listener) => {
        tell = listener;
        return () => undefined;
      },
    };
    const d = new ClusterLiveFeed(local, interest, instance.notices, names, instance.log);
    const messagesToD = (): number => instance.connection.nats.stats().inMsgs;
    try {
      await instance.connection.nats.flush();
      const before = messagesToD();
      for (let i = 1; i <= 50; i++) a.feed.publishReadings("unwatched", [{ ts: 5_000 + i, metrics: { n: i } }]);
      a.feed.publishReadings("other", [{ ts: 7_000, metrics: { n: 0 } }]);
      a.feed.presenceChanged("unwatched", true, 4_000);
      await eventually(
        () => heard.newest.get("unwatched") === 5_050 && heard.newest.get("other") === 7_000,
        "D learnt the newest reading times",
        10_000,
      );
      assert.equal(heard.readings.length, 0, "no reading travelled to D");
      assert.deepEqual(heard.presence, ["unwatched:true"]);
      assert.ok(
        messagesToD() - before <= 3,
        `one presence notice and the newest times (${messagesToD() - before} messages), not 51 readings`,
      );

      interest.watched = true;
      tell?.(true);
      await instance.connection.nats.flush();
      a.feed.publishReadings("unwatched", [{ ts: 6_000, metrics: { n: 51 } }]);
      await eventually(() => heard.readings.includes("unwatched@6000"), "a watched instance gets the readings", 10_000);

      interest.watched = false;
      tell?.(false);
      await instance.connection.nats.flush();
      const unwatched = messagesToD();
      a.feed.publishReadings("unwatched", [{ ts: 6_001, metrics: { n: 52 } }]);
      await a.connection.nats.flush();
      await instance.connection.nats.flush();
      assert.equal(messagesToD(), unwatched, "nobody watching again: readings stop travelling to D");
      assert.ok(!heard.readings.includes("unwatched@6001"));
    } finally {
      d.close();
      await instance.connection.close();
    }
  });

  test("an instance that is gone takes its devices' presence with it; a disconnection of a device nobody heard of is passed on", async () => {
    c.feed.presenceChanged("on-c", true, 40);
    await eventually(() => presenceOf(a, "on-c").length === 1, "A saw it connect", 10_000);
    a.feed.instanceLeft("hub-c", 50);
    await settled([a]);
    assert.deepEqual(presenceOf(a, "on-c"), [true, false]);

    // B started after "elsewhere" connected (it never heard): its dashboards must still learn it left.
    a.feed.presenceChanged("elsewhere", false, 60);
    await eventually(() => presenceOf(b, "elsewhere").length === 1, "B got the disconnection", 10_000);
    assert.deepEqual(presenceOf(b, "elsewhere"), [false]);
  });
});
