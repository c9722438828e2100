import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { HubProcess } from "../src/process/spawn-hub.js";
import { eventually } from "./support/eventually.js";
import { requireHaproxy } from "./support/haproxy.js";
import { requireNats } from "./support/nats.js";
import { requirePostgres } from "./support/postgres.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { requireInfluxd } from "./support/require-binary.js";
import { callApiAt, startTestCluster, type TestCluster } from "./support/test-cluster.js";

const FAST = { initialMs: 50, maxMs: 500 };
const T0 = 1_700_000_000_000;
/** Devices of one case, readings each (one timestamp each), and the pause between two readings. */
const DEVICES = 12;
const READINGS = 60;
const EVERY_MS = 40;
const skip = requirePostgres() || requireNats() || requireInfluxd() || requireHaproxy();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `check` for `eventually`, with a pause after each false answer (each try costs HTTP round trips). */
function paced(check: () => Promise<boolean>, pauseMs = 100): () => Promise<boolean> {
  return async () => {
    if (await check()) return true;
    await sleep(pauseMs);
    return false;
  };
}

/** Kill `engine`, run `whileAway`, start it again: also when `whileAway` failed, so that later cases find it running. */
async function killedWhile(engine: { kill(): Promise<void>; start(): Promise<void> }, whileAway: () => Promise<void>): Promise<void> {
  await engine.kill();
  try {
    await whileAway();
  } finally {
    await engine.start();
  }
}

/** A case's devices, streaming through HAProxy, with the permanent refusals (`rejected`: batches dropped) they got. */
interface Fleet {
  ids: string[];
  clients: TelehubClient[];
  refusals: string[];
}

describe("cluster outages under load: NATS and PostgreSQL restarted, InfluxDB away", { skip }, () => {
  let cluster: TestCluster;
  const clients: TelehubClient[] = [];
  /** When the engine of the running case was back, and when its devices had every reading acknowledged (printed, not asserted). */
  let backAt = 0;
  let ackedAt = 0;

  /** `outage`, noting when it ended (the engine back). */
  const noted = (outage: () => Promise<void>) => async () => {
    await outage();
    backAt = Date.now();
  };

  before(async () => {
    cluster = await startTestCluster({
      env: {
        TELEHUB_GATEWAY_MAX_HANDSHAKES_PER_ADDRESS: "0",
        TELEHUB_GATEWAY_RETRY_AFTER_MS: "200",
        TELEHUB_GATEWAY_LAST_SEEN_FLUSH_MS: "200",
        TELEHUB_CLUSTER_NATS_RECONNECT_WAIT_MS: "200",
        TELEHUB_CLUSTER_NATS_PING_INTERVAL_MS: "1000",
        TELEHUB_CLUSTER_INGEST_PUBLISH_TIMEOUT_MS: "2000",
        TELEHUB_CLUSTER_INGEST_ACK_WAIT_MS: "2000",
        TELEHUB_INFLUX_MAX_RETRY_DELAY_MS: "500",
      },
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await cluster?.stop();
  });

  function hub(i: number): HubProcess {
    const started = cluster.hubs[i];
    assert.ok(started, `hub ${i}`);
    return started;
  }

  async function register(deviceId: string): Promise<string> {
    const created = await callApiAt(hub(0).url, cluster.adminKey, "POST", "/api/v1/devices", { id: deviceId });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return (created.body as { token: string }).token;
  }

  /** `DEVICES` devices connected through HAProxy. */
  async function connectFleet(prefix: string): Promise<Fleet> {
    const ids = Array.from({ length: DEVICES }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
    const refusals: string[] = [];
    const fleet = await Promise.all(
      ids.map(async (id) => {
        const client = new TelehubClient({
          url: cluster.url,
          deviceId: id,
          token: await register(id),
          backoff: FAST,
          maxBatchReadings: 5,
          batchIntervalMs: 50,
          transports: ["ws"],
        });
        clients.push(client);
        client.on("rejected", (rejected) => refusals.push(rejected.code));
        return client;
      }),
    );
    await Promise.all(fleet.map((c) => c.connect()));
    return { ids, clients: fleet, refusals };
  }

  /**
   * Every device sends reading i (value i, at T0 + i) for i < READINGS; the outage starts after a
   * quarter of them. Resolves when every reading is acknowledged, with the number of batches the
   * hubs refused meanwhile with TH_STORE_UNAVAILABLE (the devices resent them).
   */
  async function stream(fleet: Fleet, outage: () => Promise<void>): Promise<number> {
    const refusedBefore = await storeRefusals();
    let outageOver: Promise<void> | undefined;
    for (let i = 0; i < READINGS; i++) {
      for (const client of fleet.clients) client.send({ n: i }, T0 + i);
      if (i === READINGS / 4) outageOver = noted(outage)();
      await sleep(EVERY_MS);
    }
    await outageOver;
    await Promise.all(fleet.clients.map((c) => c.flush(60_000)));
    ackedAt = Date.now();
    assert.deepEqual(fleet.refusals, [], "no batch was dropped");
    for (const client of fleet.clients) assert.equal(client.stats.ackedReadings, READINGS);
    return (await storeRefusals()) - refusedBefore;
  }

  /** Values of metric `n` stored for a device, through one instance's API (reads come from InfluxDB). */
  async function storedValues(deviceId: string): Promise<number[]> {
    const answer = await callApiAt(
      hub(0).url,
      cluster.adminKey,
      "GET",
      `/api/v1/devices/${deviceId}/telemetry/raw?metric=n&from=0&to=${T0 + 10_000_000}&limit=10000`,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return (answer.body as { data: { value: number }[] }).data.map((p) => p.value);
  }

  /** InfluxDB holds exactly what each device sent, each reading once. */
  async function storedExactly(fleet: Fleet): Promise<void> {
    const expected = Array.from({ length: READINGS }, (_, i) => i);
    let last = "";
    await eventually(
      paced(async () => {
        for (const id of fleet.ids) {
          const values = await storedValues(id);
          if (JSON.stringify(values) !== JSON.stringify(expected)) {
            last = `${id}: ${JSON.stringify(values)}`;
            return false;
          }
        }
        return true;
      }, 200),
      "InfluxDB holds every reading of every device once",
      30_000,
    ).catch((error: Error) => assert.fail(`${error.message}; last seen ${last}\n${cluster.output().slice(-5_000)}`));
  }

  async function readiness(url: string): Promise<{ status: number; body: { status: string; checks: Record<string, { status: string }> } }> {
    const response = await fetch(`${url}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, { status: string }> } };
  }

  /** Every hub answers /readyz 200 (it recovered by itself) and serves the API from PostgreSQL. */
  async function everyHubRecovered(what: string): Promise<void> {
    for (const each of cluster.hubs) {
      await eventually(
        paced(async () => (await readiness(each.url)).status === 200),
        `${each.url} is ready again after ${what}`,
        20_000,
      );
      const answer = await callApiAt(each.url, cluster.adminKey, "GET", "/api/v1/devices?limit=1");
      assert.equal(answer.status, 200, `${each.url}: ${JSON.stringify(answer.body)}`);
    }
  }

  /** After the outage: every hub ready again by itself, and InfluxDB holding exactly what was sent. */
  async function recovered(fleet: Fleet, what: string): Promise<void> {
    await everyHubRecovered(what);
    const readyAt = Date.now();
    await storedExactly(fleet);
    console.log(
      `${what}: after it was back, every reading acknowledged in ${ackedAt - backAt} ms, every hub ready within ${readyAt - backAt} ms, InfluxDB complete within ${Date.now() - backAt} ms`,
    );
  }

  /** Whether the readiness of hub 0 shows `check` failed (while its engine is away). */
  async function notReadyFor(check: "telemetry" | "metadata"): Promise<boolean> {
    const answer = await readiness(hub(0).url);
    return answer.status === 503 && answer.body.checks[check]?.status === "failed";
  }

  /** A sample of hub `url`'s /metrics (0 when it has none yet). */
  async function metric(url: string, sample: string): Promise<number> {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${cluster.adminKey}` } });
    const text = await response.text();
    const line = text.split("\n").find((each) => each.startsWith(`${sample} `));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  }

  /** The cluster's ingest backlog as hub 0's /metrics tells it (refreshed every few seconds from the stream). */
  function backlogMessages(): Promise<number> {
    return metric(hub(0).url, "telehub_ingest_backlog_messages");
  }

  /** Batches the hubs refused with TH_STORE_UNAVAILABLE (retryable: the device resends them), all hubs together. */
  async function storeRefusals(): Promise<number> {
    const counts = await Promise.all(cluster.hubs.map((each) => metric(each.url, 'telehub_rejected_total{code="TH_STORE_UNAVAILABLE"}')));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  test("NATS restarted mid-stream: batches are refused while it is away, the hubs reconnect by themselves, nothing acknowledged is lost", async () => {
    const fleet = await connectFleet("nats-restart");
    assert.ok(
      (await stream(fleet, () => cluster.nats.restart())) > 0,
      "batches were refused with TH_STORE_UNAVAILABLE while NATS was away",
    );
    await recovered(fleet, "NATS restarted");
  });

  test("NATS killed and started again seconds later: TH_STORE_UNAVAILABLE while it is away, /readyz 503, then every reading stored once", async () => {
    const fleet = await connectFleet("nats-kill");
    const refused = await stream(fleet, () =>
      killedWhile(cluster.nats, async () => {
        await eventually(
          paced(() => notReadyFor("telemetry"), 50),
          "hub 0 is not ready without NATS",
          10_000,
        );
        await sleep(2_000);
      }),
    );
    assert.ok(refused > 0, "batches were refused with TH_STORE_UNAVAILABLE while NATS was away");
    await recovered(fleet, "NATS killed and started");
  });

  test("PostgreSQL restarted mid-stream: telemetry goes on being acknowledged, the hubs' pools recover by themselves", async () => {
    const fleet = await connectFleet("pg-restart");
    assert.equal(
      await stream(fleet, () => cluster.postgres.restart()),
      0,
      "no batch was refused: acknowledging telemetry needs no PostgreSQL",
    );
    await recovered(fleet, "PostgreSQL restarted");
  });

  test("PostgreSQL killed and started again: acknowledgements go on, /readyz 503, the API 503, a connecting device refused; all recovers by itself", async () => {
    const fleet = await connectFleet("pg-kill");
    const token = await register("pg-kill-late");
    let ackedWhileAway = 0;
    let lateAnswer: string | undefined;
    const refused = await stream(fleet, () =>
      killedWhile(cluster.postgres, async () => {
        await eventually(
          paced(() => notReadyFor("metadata"), 50),
          "hub 0 is not ready without PostgreSQL",
          10_000,
        );
        const acked = () => fleet.clients.reduce((sum, c) => sum + c.stats.ackedReadings, 0);
        const atKill = acked();
        await eventually(
          paced(async () => acked() > atKill, 50),
          "acknowledgements go on without PostgreSQL",
          10_000,
        );
        ackedWhileAway = acked() - atKill;
        // A device (re)connecting now needs PostgreSQL to be authenticated.
        const late = await RawDevice.connect(hub(1).url.replace("http", "ws"), { deviceId: "pg-kill-late", token });
        if (!isRefusal(late)) {
          late.close();
          assert.fail("a device was admitted while PostgreSQL was away");
        }
        // Through HAProxy too (here it passed on a hub's 500, not a 503 of its own).
        const proxied = await RawDevice.connect(cluster.url.replace("http", "ws"), { deviceId: "pg-kill-late", token });
        if (!isRefusal(proxied)) {
          proxied.close();
          assert.fail("a device was admitted through HAProxy while PostgreSQL was away");
        }
        const api = await callApiAt(hub(1).url, cluster.adminKey, "GET", "/api/v1/devices/pg-kill-late");
        // The database cannot serve now: 503, as a busy meta.db, not 500.
        assert.equal(api.status, 503, JSON.stringify(api.body));
        assert.equal(api.body?.error?.code, "TH_API_STORE_UNAVAILABLE");
        lateAnswer = `through HAProxy ${proxied.status} ${proxied.code ?? "(no code)"}; upgrade on a hub ${late.status} ${late.code ?? "(no code)"} retry-after=${late.retryAfter ?? "-"}; API ${api.status} ${JSON.stringify(api.body)}`;
      }),
    );
    assert.ok(ackedWhileAway > 0);
    assert.equal(refused, 0, "no batch was refused: acknowledging telemetry needs no PostgreSQL");
    console.log(`while PostgreSQL was away: ${lateAnswer}`);
    await everyHubRecovered("PostgreSQL killed and started");
    const late = await RawDevice.connect(hub(1).url.replace("http", "ws"), { deviceId: "pg-kill-late", token });
    if (isRefusal(late)) assert.fail(`refused after PostgreSQL came back: ${JSON.stringify(late)}`);
    late.close();
    await storedExactly(fleet);
  });

  // Last: it leaves two hubs.
  test("InfluxDB away: acknowledgements go on, the backlog waits in JetStream (telehub_ingest_backlog_messages grows), a hub dying meanwhile strands nothing, all drained exactly when it returns", async () => {
    const fleet = await connectFleet("influx-away");
    // Every reading is acknowledged (stream() checks it) while InfluxDB is stopped.
    assert.equal(await stream(fleet, () => cluster.influxd.stop()), 0, "no batch was refused while InfluxDB was away");
    let backlog = 0;
    await eventually(
      paced(async () => {
        backlog = await backlogMessages();
        return backlog > 0;
      }, 200),
      "the backlog gauge shows the batches waiting",
      15_000,
    );
    // Readiness does not depend on InfluxDB (until the stream is full): HAProxy goes on sending devices.
    for (const each of cluster.hubs) assert.equal((await readiness(each.url)).status, 200, `${each.url} stays ready`);
    // The batches its drainer held unwritten go to the others' after cluster.ingestAckWaitMs.
    await hub(2).kill();
    await cluster.influxd.start();
    backAt = Date.now();
    await storedExactly(fleet);
    console.log(`InfluxDB started again: ${backlog} batches waiting, InfluxDB complete within ${Date.now() - backAt} ms`);
    await eventually(
      paced(async () => (await backlogMessages()) === 0, 200),
      `the backlog (${backlog} batches) is drained`,
      15_000,
    );
  });
});
