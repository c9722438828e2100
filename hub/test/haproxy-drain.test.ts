import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { HubConfigInput } from "../src/config/hub-config.js";
import { hashSecret } from "../src/security/secrets.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type PrivateHaproxy, requireHaproxy, startHaproxy } from "./support/haproxy.js";
import { HttpDevice } from "./support/http-device.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

// Issue #21: graceful drain behind HAProxy. Three single-node hubs (each its own embedded stores,
// the same devices registered on each with the same tokens), HAProxy in front checking /readyz.
// One hub is stopped with gateway.drainMs: HAProxy marks it down while its devices still stream to
// it; then its sessions close with 1001 and the devices reconnect, through HAProxy, to the others.
// Every reading is stored exactly once over the three hubs' stores.

const DRAIN_MS = 2_000;
const HUB_CONFIG: HubConfigInput = { adminKey: TEST_ADMIN_KEY, security: { trustProxy: "127.0.0.1" } };
/** The first hub is the one drained; the others stop at once when the test ends. */
const DRAINED_CONFIG: HubConfigInput = { ...HUB_CONFIG, gateway: { drainMs: DRAIN_MS } };
const WS_DEVICES = 8;
const HTTP_DEVICES = 4;
const BASE_TS = 1_700_000_000_000;

/** A device streaming reading `n` = 0, 1, 2 … every few ms through the proxy. */
interface Streamer {
  id: string;
  token: string;
  client: TelehubClient;
  sent: number;
  acked: number;
  /** Refusals HAProxy answered itself (503 with no server), not a hub. */
  proxyRefusals: number;
  /** The hub's own refusals while draining (503 TH_HUB_BUSY). */
  busyRefusals: number;
}

describe("graceful drain behind HAProxy", { skip: requireHaproxy() }, () => {
  const hubs: RunningHub[] = [];
  let reopened: RunningHub | undefined;
  let proxy: PrivateHaproxy;
  const streamers: Streamer[] = [];
  let ticker: NodeJS.Timeout | undefined;

  before(async () => {
    hubs.push(...(await Promise.all([startHub(DRAINED_CONFIG), startHub(HUB_CONFIG), startHub(HUB_CONFIG)])));
    proxy = await startHaproxy({
      backends: hubs.map((running, i) => ({ name: `hub${i}`, host: "127.0.0.1", port: Number(new URL(running.url).port) })),
    });
    await eventually(async () => (await proxy.servers()).every((s) => s.status === "UP"), "every hub is UP", 10_000);
  });
  after(async () => {
    clearInterval(ticker);
    await Promise.all(streamers.map((streamer) => streamer.client.close({ flush: false })));
    await proxy?.stop();
    await Promise.all([...hubs, ...(reopened ? [reopened] : [])].map((running) => running.dispose()));
  });

  /** Register through the first hub's API; the others get the same device with the same token. */
  async function register(id: string): Promise<string> {
    const created = await callApi(hubs[0]!.hub, "POST", "/api/v1/devices", { id });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = created.body.token as string;
    for (const running of hubs.slice(1)) {
      await running.hub.devices.create({ id, name: id, tokenHash: hashSecret(token), labels: {}, at: Date.now() });
    }
    return token;
  }

  test("the drained hub is taken out of rotation while it serves; its devices move; every reading is stored once", async (t) => {
    for (let i = 0; i < WS_DEVICES + HTTP_DEVICES; i++) {
      const transport = i < WS_DEVICES ? "ws" : "http";
      const id = `drain-${transport}-${i}`;
      const token = await register(id);
      const client = new TelehubClient({
        url: proxy.url,
        deviceId: id,
        token,
        transports: [transport],
        backoff: { initialMs: 50, maxMs: 500 },
      });
      const streamer: Streamer = { id, token, client, sent: 0, acked: 0, proxyRefusals: 0, busyRefusals: 0 };
      client.on("ack", (ack) => {
        streamer.acked += ack.readings;
      });
      client.on("disconnected", (event) => {
        if (event.httpStatus === 503 && event.errorCode === undefined) streamer.proxyRefusals++;
        if (event.errorCode === "TH_HUB_BUSY") streamer.busyRefusals++;
      });
      streamers.push(streamer);
      await client.connect();
    }
    ticker = setInterval(() => {
      for (const streamer of streamers) {
        streamer.client.send({ n: streamer.sent }, BASE_TS + streamer.sent);
        streamer.sent++;
      }
    }, 40);
    await eventually(() => streamers.every((s) => s.acked >= 5), "every device has readings acknowledged", 20_000);

    // leastconn gave each hub some of the WebSocket devices.
    const victim = hubs[0]!;
    const moving = victim.hub.gateway.connectedIds();
    assert.ok(moving.length > 0, "the drained hub holds devices");
    const stopping = victim.stop();

    // HAProxy's check sees /readyz 503 and marks the hub down, while the hub still holds its sessions.
    let holdingWhenDown = 0;
    const sentWhenDown = new Map<string, number>();
    await eventually(
      async () => {
        const state = (await proxy.servers()).find((s) => s.name === "hub0");
        if (!state?.status.startsWith("DOWN")) return false;
        holdingWhenDown = victim.hub.gateway.connectedIds().length;
        for (const streamer of streamers) sentWhenDown.set(streamer.id, streamer.sent);
        return true;
      },
      "HAProxy marks the draining hub DOWN",
      DRAIN_MS * 3,
    );
    assert.equal(holdingWhenDown, moving.length, "the draining hub still held its devices when HAProxy marked it down");

    // Meanwhile the hub itself says why, and refuses new device sessions (the ones it holds go on).
    const ready = await fetch(`${victim.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { status: string }).status, "draining");
    const newcomer = streamers.find((s) => !moving.includes(s.id))!;
    const upgrade = await RawDevice.connect(victim.wsUrl, { deviceId: newcomer.id, token: newcomer.token });
    assert.ok(isRefusal(upgrade), "an upgrade is refused while draining");
    assert.deepEqual(upgrade, { status: 503, code: "TH_HUB_BUSY", retryAfter: "1" });
    const hello = await new HttpDevice(victim.url, { deviceId: newcomer.id, token: newcomer.token }).hello();
    assert.deepEqual([hello.status, hello.code, hello.retryAfter], [503, "TH_HUB_BUSY", "1"]);

    await stopping;
    await eventually(
      () => {
        const elsewhere = hubs.filter((running) => running !== victim).flatMap((running) => running.hub.gateway.connectedIds());
        return elsewhere.length === streamers.length && streamers.every((s) => s.client.connected);
      },
      "every device is connected to one of the other hubs",
      20_000,
    );
    const sentAfterMove = new Map(streamers.map((s) => [s.id, s.sent]));
    await eventually(
      () => streamers.every((s) => s.acked >= (sentAfterMove.get(s.id) ?? 0) + 3),
      "readings sent after the move are acknowledged",
      20_000,
    );
    clearInterval(ticker);
    await Promise.all(streamers.map((s) => s.client.flush()));
    for (const streamer of streamers) assert.equal(streamer.acked, streamer.sent, `${streamer.id}: every reading acknowledged`);

    // The drained hub's store, read again after a restart on its folder; the others' as they are.
    reopened = await startHub(HUB_CONFIG, victim.dataDir);
    const stores = [...hubs.filter((running) => running !== victim), reopened].map((running) => running.hub.telemetry);
    const victimStore = reopened.hub.telemetry;
    for (const streamer of streamers) {
      const values: number[] = [];
      const where = new Map<number, number[]>();
      for (const [i, store] of stores.entries()) {
        const points = await store.raw({ deviceId: streamer.id, from: BASE_TS, to: BASE_TS + streamer.sent, limit: 1_000_000 });
        for (const point of points) {
          values.push(point.value as number);
          where.set(point.value as number, [...(where.get(point.value as number) ?? []), i]);
        }
      }
      const twice = [...where].filter(([, at]) => at.length > 1);
      const missing = Array.from({ length: streamer.sent }, (_, n) => n).filter((n) => !where.has(n));
      assert.deepEqual(
        { stored: values.length, twice, missing },
        { stored: streamer.sent, twice: [], missing: [] },
        `${streamer.id} (${moving.includes(streamer.id) ? "moved" : "stayed"}): each of ${streamer.sent} readings stored once (stores: others, then the drained hub)`,
      );
      if (moving.includes(streamer.id)) {
        // It went on streaming to the drained hub after HAProxy had marked that hub down.
        const later = await victimStore.countRaw({
          deviceId: streamer.id,
          from: BASE_TS + (sentWhenDown.get(streamer.id) ?? 0),
          to: BASE_TS + streamer.sent,
          limit: 1_000_000,
        });
        assert.ok(later > 0, `${streamer.id} streamed to the draining hub after it was marked down`);
      }
    }
    const proxyRefused = streamers.filter((s) => s.proxyRefusals > 0).map((s) => `${s.id} ${s.proxyRefusals}`);
    const proxyRefusals = streamers.reduce((sum, s) => sum + s.proxyRefusals, 0);
    const busyRefusals = streamers.reduce((sum, s) => sum + s.busyRefusals, 0);
    // Any 503 HAProxy answered itself was retried: every device got in again (above).
    t.diagnostic(
      `${moving.length} devices moved; refusals seen by devices: ${proxyRefusals} from HAProxy (${proxyRefused.join(", ")}), ${busyRefusals} TH_HUB_BUSY from the hub`,
    );
  });
});
