import { randomBytes } from "node:crypto";
import { haproxyAvailable, startHaproxy } from "@telehub/hub/haproxy";
import { influxdAvailable, type PrivateInfluxd, startInfluxd } from "@telehub/hub/influxd";
import { natsAvailable, startNats } from "@telehub/hub/nats";
import { postgresAvailable, startPostgres } from "@telehub/hub/postgres";
import { type HubProcess, removeDataDir, spawnHub } from "@telehub/hub/spawn";
import { BENCH_HUB_ENV } from "./ingest-scenario.js";

/** One side of the cluster scenario: where devices and API calls go, and what runs behind it. */
export interface BenchDeployment {
  /** The single hub's own address, or HAProxy's in front of the cluster. */
  url: string;
  adminKey: string;
  /** The influxd holding this side's telemetry. */
  influxd: PrivateInfluxd;
  /** The hub processes (CPU and memory are read from their `/proc` entries). */
  hubs: HubProcess[];
  /** The other processes of the path whose CPU counts: NATS and HAProxy (PostgreSQL's and influxd's are not read). */
  enginePids(): number[];
  /** Stop everything and delete every folder. */
  stop(): Promise<void>;
}

/** The engines a cluster needs that are not installed here (empty: all are), each with its Debian package. */
export function missingClusterEngines(): string[] {
  const engines: [boolean, string][] = [
    [postgresAvailable(), "PostgreSQL (postgresql)"],
    [natsAvailable(), "nats-server (nats-server)"],
    [haproxyAvailable(), "HAProxy (haproxy)"],
    [influxdAvailable(), "influxd (influxdb)"],
  ];
  return engines.filter(([available]) => !available).map(([, name]) => name);
}

/** `TELEHUB_*` variables for a benchmark hub storing telemetry in `influxd` (the influx scenario's settings). */
function influxHubEnv(influxd: PrivateInfluxd): Record<string, string> {
  return {
    ...BENCH_HUB_ENV,
    TELEHUB_STORAGE_TELEMETRY: "influxdb",
    TELEHUB_INFLUX_URL: influxd.url,
    TELEHUB_INFLUX_DATABASE: influxd.database,
    TELEHUB_INFLUX_MAX_RETRY_DELAY_MS: "200",
  };
}

/** Stop what started, newest first, whatever fails on the way. */
async function stopAll(parts: { stop(): Promise<void> }[]): Promise<void> {
  for (const part of [...parts].reverse()) await part.stop().catch(() => undefined);
}

function stoppable(hub: HubProcess): { stop(): Promise<void> } {
  return {
    stop: async () => {
      await hub.stop();
      removeDataDir(hub);
    },
  };
}

/** The baseline: one hub on InfluxDB (acknowledging once a batch is in its spool on local disk), its own private influxd. */
export async function startSingleHub(): Promise<BenchDeployment> {
  const influxd = await startInfluxd({ database: "bench_single" });
  try {
    const hub = await spawnHub({ env: influxHubEnv(influxd) });
    const parts = [{ stop: () => influxd.remove() }, stoppable(hub)];
    return { url: hub.url, adminKey: hub.adminKey, influxd, hubs: [hub], enginePids: () => [], stop: () => stopAll(parts) };
  } catch (error) {
    await influxd.remove();
    throw error;
  }
}

/**
 * A cluster as docs/cluster.md describes it, on loopback: a private PostgreSQL (fsync on: its
 * disk writes count), nats-server with JetStream, influxd, `hubs` hub processes started one after
 * the other (the first applies the schema) with the same secrets key, and HAProxy in front;
 * resolves once HAProxy's health checks (`GET /readyz`) see every hub up.
 */
export async function startCluster(hubs: number): Promise<BenchDeployment> {
  const parts: { stop(): Promise<void> }[] = [];
  try {
    const postgres = await startPostgres({ fsync: true });
    parts.push(postgres);
    const nats = await startNats();
    parts.push(nats);
    const influxd = await startInfluxd({ database: "bench_cluster" });
    parts.push({ stop: () => influxd.remove() });
    const databaseUrl = await postgres.createDatabase("telehub");
    const secretsKey = randomBytes(32).toString("base64");
    const spawnInstance = async (i: number): Promise<HubProcess> => {
      const hub = await spawnHub({
        env: {
          ...influxHubEnv(influxd),
          TELEHUB_CLUSTER_POSTGRES_URL: databaseUrl,
          TELEHUB_CLUSTER_NATS_URLS: nats.url,
          TELEHUB_CLUSTER_INSTANCE_ID: `hub-${i + 1}`,
          TELEHUB_SECURITY_SECRETS_KEY: secretsKey,
        },
      });
      parts.push(stoppable(hub));
      return hub;
    };
    // One after the other: the first applies the schema and records the secrets key; hubs starting
    // together on a loaded machine can miss spawnHub's 20 s start limit.
    const processes: HubProcess[] = [];
    for (let i = 0; i < hubs; i++) processes.push(await spawnInstance(i));
    const haproxy = await startHaproxy({
      backends: processes.map((hub, i) => ({ name: `hub-${i + 1}`, host: "127.0.0.1", port: hub.port })),
    });
    parts.push(haproxy);
    await everyHubUp(haproxy, hubs, 30_000);
    return {
      url: haproxy.url,
      adminKey: processes[0]?.adminKey as string,
      influxd,
      hubs: processes,
      enginePids: () => [nats.pid(), haproxy.pid].filter((pid): pid is number => pid !== undefined),
      stop: () => stopAll(parts),
    };
  } catch (error) {
    await stopAll(parts);
    throw error;
  }
}

async function everyHubUp(haproxy: { servers(): Promise<{ status: string }[]> }, hubs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const servers = await haproxy.servers();
    if (servers.length === hubs && servers.every((server) => server.status === "UP")) return;
    if (Date.now() > deadline) throw new Error(`HAProxy does not see every hub up within ${timeoutMs} ms: ${JSON.stringify(servers)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
