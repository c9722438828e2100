import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { type HubProcess, SPAWNED_HUB_ADMIN_KEY, spawnHub } from "../../src/process/spawn-hub.js";
import { type PrivateInfluxd, startInfluxd } from "../../src/testing/influxd.js";
import { type PrivateHaproxy, startHaproxy } from "./haproxy.js";
import { influxEnv } from "./influx-store.js";
import { type NatsServer, startNats } from "./nats.js";
import { type PostgresServer, startPostgres } from "./postgres.js";

/** A whole cluster on loopback: PostgreSQL, NATS with JetStream, influxd, hub processes, HAProxy in front. */
export interface TestCluster {
  postgres: PostgresServer;
  nats: NatsServer;
  influxd: PrivateInfluxd;
  /** The hubs, in start order; a killed one stays in the list. */
  hubs: HubProcess[];
  haproxy: PrivateHaproxy;
  /** HAProxy's address: what devices and API clients use. */
  url: string;
  /** The admin key every instance accepts (they share PostgreSQL). */
  adminKey: string;
  /** Everything any process wrote, for a failure's message. */
  output(): string;
  /** Stop everything that still runs and delete every folder. */
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Hub instances. Default 3. */
  hubs?: number;
  /** Extra `TELEHUB_*` variables for every hub. */
  env?: Record<string, string>;
}

/**
 * Start a cluster as docs/cluster.md describes it, every engine private to the caller. The hubs
 * start one after the other (the first applies the schema), each with its own instance id and data
 * folder and the same secrets key.
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const started: { stop(): Promise<void> }[] = [];
  let log = "";
  const keep = (name: string) => (text: string) => {
    log += text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => `[${name}] ${line}\n`)
      .join("");
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  try {
    const postgres = await startPostgres();
    started.push(postgres);
    const nats = await startNats();
    started.push(nats);
    const influxd = await startInfluxd({ database: "telehub_cluster" });
    started.push({ stop: () => influxd.remove() });
    const databaseUrl = await postgres.createDatabase("telehub");
    const secretsKey = randomBytes(32).toString("base64");
    const hubs: HubProcess[] = [];
    for (let i = 0; i < (options.hubs ?? 3); i++) {
      const name = `hub-${String.fromCharCode(97 + i)}`;
      const hub = await spawnHub({
        env: {
          ...influxEnv(influxd),
          TELEHUB_CLUSTER_POSTGRES_URL: databaseUrl,
          TELEHUB_CLUSTER_NATS_URLS: nats.url,
          TELEHUB_CLUSTER_INSTANCE_ID: name,
          TELEHUB_SECURITY_SECRETS_KEY: secretsKey,
          TELEHUB_LOG_LEVEL: "warn",
          ...options.env,
        },
        onOutput: keep(name),
      });
      hubs.push(hub);
      started.push({
        stop: async () => {
          await hub.stop().catch(() => undefined);
          rmSync(hub.dataDir, { recursive: true, force: true });
        },
      });
    }
    const haproxy = await startHaproxy({
      backends: hubs.map((hub, i) => ({ name: `hub-${String.fromCharCode(97 + i)}`, host: "127.0.0.1", port: hub.port })),
    });
    started.push(haproxy);
    // Ready when HAProxy's health checks (GET /readyz) passed for every hub.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const servers = await haproxy.servers();
      if (servers.length === hubs.length && servers.every((server) => server.status === "UP")) break;
      if (Date.now() > deadline) throw new Error(`HAProxy does not see every hub up: ${JSON.stringify(servers)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      postgres,
      nats,
      influxd,
      hubs,
      haproxy,
      url: haproxy.url,
      adminKey: SPAWNED_HUB_ADMIN_KEY,
      output: () => log,
      stop: async () => {
        for (const part of started.reverse()) await part.stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    throw new Error(`the test cluster did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
}

/** Call a hub's (or HAProxy's) HTTP API over the network with a key; answers status and JSON. */
export async function callApiAt(
  baseUrl: string,
  key: string,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answers; the routes' schemas type it.
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
