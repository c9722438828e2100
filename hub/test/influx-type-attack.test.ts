import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { influxSettings } from "./support/influx-store.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { requireInfluxd } from "./support/require-binary.js";

const DAY = 86_400_000;

describe("InfluxDB type-conflict attack through a real hub (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  let running: RunningHub;
  const connect = async (deviceId: string): Promise<RawDevice> => {
    const device = await RawDevice.connect(running.wsUrl, { deviceId, token: await running.provision(deviceId) });
    if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
    await device.hello();
    return device;
  };
  before(async () => {
    influxd = await startInfluxd();
    // No future window: the attacker's points may lie days ahead, as in the attack reported.
    running = await startHub({
      storage: { telemetry: "influxdb" },
      influx: influxSettings(influxd),
      ingest: { maxFutureMs: 0 },
      adminKey: TEST_ADMIN_KEY,
    });
  });
  after(async () => {
    await running?.dispose();
    await influxd?.remove();
  });

  test("a device's string for `temperature` and boolean for `humidity` days ahead does not cost another device one value, and nothing acknowledged is dead-lettered", async () => {
    const attacker = await connect("attacker");
    const victim = await connect("victim");
    const ahead = Date.now() + 3 * DAY;
    const hourAgo = Date.now() - DAY / 24;
    attacker.send({ t: "batch", seq: 1, r: [{ ts: ahead, m: { temperature: "x", humidity: true } }] });
    await attacker.ackFor(1);

    const batches = 50;
    for (let seq = 1; seq <= batches; seq++) {
      victim.send({
        t: "batch",
        seq,
        r: [
          { ts: ahead + seq * 10, m: { temperature: 21.5, humidity: 40 } },
          { ts: hourAgo + seq, m: { temperature: 20 + seq, humidity: 41 } },
        ],
      });
      await victim.ackFor(seq);
    }
    assert.deepEqual(
      victim.frames.filter((f) => f.t !== "ack"),
      [],
      "every batch of the victim acknowledged",
    );

    const raw = await callApi(running.hub, "GET", `/api/v1/devices/victim/telemetry/raw?from=0&to=${ahead + DAY}&limit=1000`);
    assert.equal(raw.status, 200);
    assert.equal(raw.body.data.length, batches * 4, "every value of the victim is stored and readable");
    assert.ok(raw.body.data.every((p: { value: unknown }) => typeof p.value === "number"));
    const latest = await callApi(running.hub, "GET", "/api/v1/devices/victim/latest");
    assert.deepEqual(
      latest.body.data.map((v: { metric: string; value: unknown; ts: number }) => [v.metric, v.value, v.ts]),
      [
        ["humidity", 40, ahead + batches * 10],
        ["temperature", 21.5, ahead + batches * 10],
      ],
    );
    const attackerLatest = await callApi(running.hub, "GET", "/api/v1/devices/attacker/latest");
    assert.deepEqual(
      attackerLatest.body.data.map((v: { metric: string; value: unknown }) => [v.metric, v.value]),
      [
        ["humidity", true],
        ["temperature", "x"],
      ],
      "the attacker's string and boolean are stored as its own",
    );

    assert.equal(existsSync(join(running.dataDir, "influx-dead-letter.lp")), false, "nothing reached the dead-letter file");
    assert.match(await running.hub.metrics.registry.metrics(), /^telehub_influx_dead_lettered_points_total 0$/m);

    // Its own metric keeps its type: the attacker's later number is refused before the ack.
    attacker.send({ t: "batch", seq: 2, r: [{ ts: Date.now(), m: { temperature: 22 } }] });
    const refusal = await attacker.next("error").catch((error) => assert.fail(`${error.message}: ${JSON.stringify(attacker.frames)}`));
    assert.equal(refusal.code, "TH_TYPE_CONFLICT");
    assert.equal(refusal.seq, 2);
    assert.equal(refusal.retry, undefined, "a permanent refusal");
    attacker.close();
    victim.close();
  });
});
