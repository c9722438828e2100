import assert from "node:assert/strict";
import { test } from "node:test";
import { type HubProcess, removeDataDir, spawnHub } from "../../src/process/spawn-hub.js";
import { createDevice } from "../support/create-device.js";
import { isRefusal, RawDevice } from "../support/raw-device.js";
import { sleep } from "./support/fleet.js";
import { readMetrics, sample } from "./support/hub-metrics.js";
import { scaled } from "./support/scale.js";

/** ingest.maxMetricsPerDevice, the default. */
const MAX_METRICS = 256;
/** Names per batch: one reading of `lim.metrics` (64) metrics. */
const NAMES_PER_BATCH = 64;
const MIB = 1_048_576;

async function connect(hub: HubProcess, deviceId: string): Promise<RawDevice> {
  const token = await createDevice(hub.url, hub.adminKey, deviceId);
  const device = await RawDevice.connect(hub.url.replace(/^http/, "ws"), { deviceId, token });
  if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
  await device.hello();
  return device;
}

/** Send a batch and wait for the ack covering it or the error frame about it. */
async function answer(device: RawDevice, seq: number, m: Record<string, number>): Promise<{ t: string } & Record<string, unknown>> {
  device.send({ t: "batch", seq, r: [{ ts: 1_700_000_000_000 + seq, m }] });
  return device.answerTo(seq);
}

async function latest(hub: HubProcess, deviceId: string): Promise<{ status: number; metrics: Record<string, unknown>; ms: number }> {
  const startedAt = performance.now();
  const response = await fetch(`${hub.url}/api/v1/devices/${deviceId}/latest`, { headers: { authorization: `Bearer ${hub.adminKey}` } });
  const body = (await response.json()) as { data?: { metric: string; value: unknown }[] };
  const ms = performance.now() - startedAt;
  return { status: response.status, metrics: Object.fromEntries((body.data ?? []).map((v) => [v.metric, v.value])), ms };
}

test("cardinality attack: one device tries thousands of metric names within its rate limits; it gets TH_METRIC_LIMIT past maxMetricsPerDevice, the hub's memory stays bounded, another device keeps storing and its /latest answers", async (t) => {
  const attempted = scaled(5_000);
  const hub = await spawnHub();
  const devices: RawDevice[] = [];
  try {
    const attacker = await connect(hub, "many-names");
    const bystander = await connect(hub, "bystander");
    devices.push(attacker, bystander);
    assert.equal((await answer(bystander, 1, { temperature: 0, humidity: 40 })).t, "ack");
    const latestBefore = await latest(hub, "bystander");
    const rssBefore = sample(await readMetrics(hub.url, hub.adminKey), "telehub_process_resident_memory_bytes");
    let maxRss = rssBefore;
    const outcomes = new Map<string, number>();
    let bystanderSeq = 1;
    const batches = Math.ceil(attempted / NAMES_PER_BATCH);
    for (let seq = 1; seq <= batches; seq++) {
      const names: Record<string, number> = {};
      for (let i = 0; i < NAMES_PER_BATCH; i++) names[`attack_${seq}_${i}`] = i;
      const reply = await answer(attacker, seq, names);
      const outcome = reply.t === "ack" ? "ack" : String(reply.code);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (seq * NAMES_PER_BATCH > MAX_METRICS) {
        assert.equal(reply.code, "TH_METRIC_LIMIT", `batch ${seq}: ${JSON.stringify(reply)}`);
        assert.match(reply.msg as string, /over maxMetricsPerDevice \(256\)/);
        assert.equal(reply.retry, undefined, "permanent: no retry");
      } else assert.equal(reply.t, "ack", `batch ${seq}: ${JSON.stringify(reply)}`);
      if (seq % 10 === 0) {
        bystanderSeq++;
        assert.equal((await answer(bystander, bystanderSeq, { temperature: bystanderSeq, humidity: 40 })).t, "ack");
        maxRss = Math.max(maxRss, sample(await readMetrics(hub.url, hub.adminKey), "telehub_process_resident_memory_bytes"));
      }
      // Within the device's frame rate (lim.rate, 100/s): the attack is one a well-behaved client could make.
      await sleep(12);
    }
    const rssAfter = sample(await readMetrics(hub.url, hub.adminKey), "telehub_process_resident_memory_bytes");
    maxRss = Math.max(maxRss, rssAfter);
    assert.equal(outcomes.get("ack"), MAX_METRICS / NAMES_PER_BATCH);
    assert.equal(outcomes.get("TH_METRIC_LIMIT"), batches - MAX_METRICS / NAMES_PER_BATCH);

    const mine = await latest(hub, "bystander");
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.metrics, { temperature: bystanderSeq, humidity: 40 });
    const theirs = await latest(hub, "many-names");
    assert.equal(theirs.status, 200);
    assert.equal(Object.keys(theirs.metrics).length, MAX_METRICS, "only the names within the limit were stored");
    const growth = maxRss - rssBefore;
    t.diagnostic(
      `${attempted} names attempted in ${batches} batches: ${JSON.stringify(Object.fromEntries(outcomes))}; hub RSS ${Math.round(rssBefore / MIB)} → max ${Math.round(maxRss / MIB)} MB; ` +
        `the bystander's /latest took ${latestBefore.ms.toFixed(1)} ms before, ${mine.ms.toFixed(1)} ms after (not asserted)`,
    );
    assert.ok(growth < 64 * MIB, `hub RSS grew ${Math.round(growth / MIB)} MB`);
  } finally {
    for (const device of devices) device.close();
    await hub.kill();
    removeDataDir(hub);
  }
});
