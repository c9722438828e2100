import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { AuthorizationError, connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import type pino from "pino";
import type { HubConfig } from "../config/hub-config.js";
import { ConfigError } from "../config/load-config.js";

/** This instance's connection to the cluster's NATS. */
export interface ClusterConnection {
  /** The client; it reconnects by itself, forever, and sends its subscriptions again each time. */
  readonly nats: NatsConnection;
  /** The name this instance goes by in the cluster (the client's `name` on the server too). */
  readonly instanceId: string;
  /** Whether the connection is up right now (`/readyz`). */
  isConnected(): boolean;
  /** Send what is buffered (for at most `drainTimeoutMs`) and close; the client does not reconnect after it. */
  close(drainTimeoutMs?: number): Promise<void>;
}

/** The cluster's settings the connection uses. */
export type ClusterSettings = HubConfig["cluster"];

/**
 * This instance's id: `cluster.instanceId`, or `<hostname>-<port>` when it is empty (`<hostname>-<random>` for port 0), with every
 * character a NATS subject token or KV key may not hold (a dotted host name's `.`) as `-`.
 */
export function instanceIdOf(config: Pick<HubConfig, "cluster">, port: number): string {
  if (config.cluster.instanceId !== "") return config.cluster.instanceId;
  // Port 0 is a random port, known only after listening: a random suffix keeps instances apart.
  const suffix = port === 0 ? randomBytes(4).toString("hex") : String(port);
  return `${hostname()}-${suffix}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** The client options for `cluster`: every server, the credentials, reconnection forever. */
export function natsOptions(cluster: ClusterSettings, instanceId: string): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: natsServers(cluster),
    name: instanceId,
    maxReconnectAttempts: -1,
    reconnectTimeWait: cluster.natsReconnectWaitMs,
    reconnectJitter: Math.round(cluster.natsReconnectWaitMs / 2),
    pingInterval: cluster.natsPingIntervalMs,
    maxPingOut: 2,
  };
  if (cluster.natsUser !== "") {
    options.user = cluster.natsUser;
    options.pass = cluster.natsPassword;
  }
  if (cluster.natsToken !== "") options.token = cluster.natsToken;
  return options;
}

function natsServers(cluster: ClusterSettings): string[] {
  return cluster.natsUrls
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "");
}

/**
 * Connect to the cluster's NATS. The first connection is tried again (every
 * `natsReconnectWaitMs`) until it succeeds or `natsConnectTimeoutMs` passes: the servers may be
 * starting with the hub. A server that refuses the credentials, or runs without JetStream, is a
 * `ConfigError` at once; no server answering in time is an `Error` saying the engine is down.
 * Once connected, a lost connection is logged and tried again forever.
 */
export async function connectCluster(cluster: ClusterSettings, instanceId: string, log: pino.Logger): Promise<ClusterConnection> {
  const options = natsOptions(cluster, instanceId);
  const servers = (options.servers as string[]).join(",");
  const deadline = Date.now() + cluster.natsConnectTimeoutMs;
  let nats: NatsConnection | undefined;
  while (nats === undefined) {
    try {
      nats = await connect(options);
    } catch (error) {
      if (error instanceof AuthorizationError)
        throw new ConfigError(
          `NATS at ${servers} refused this instance's credentials (${error.message}): check cluster.natsUser and cluster.natsPassword, or cluster.natsToken`,
        );
      if (Date.now() + cluster.natsReconnectWaitMs > deadline)
        throw new Error(
          `no NATS server answered at ${servers} within ${cluster.natsConnectTimeoutMs} ms (${(error as Error).message}): is nats-server running and reachable? (cluster.natsConnectTimeoutMs)`,
        );
      log.warn({ err: error, servers }, "NATS is not reachable yet; trying again");
      await new Promise((resolve) => setTimeout(resolve, cluster.natsReconnectWaitMs));
    }
  }
  if (nats.info?.jetstream !== true) {
    await nats.close();
    throw new ConfigError(`the NATS server at ${servers} runs without JetStream: a cluster needs it (nats-server --jetstream)`);
  }
  log.info({ server: nats.getServer(), instanceId }, "connected to NATS");
  return watched(nats, instanceId, log);
}

/** The connection with its state followed from the client's status reports. */
function watched(nats: NatsConnection, instanceId: string, log: pino.Logger): ClusterConnection {
  let connected = true;
  void (async () => {
    for await (const status of nats.status()) {
      if (status.type === "disconnect") {
        connected = false;
        log.warn({ server: status.server }, "lost the connection to NATS; reconnecting");
      } else if (status.type === "reconnect") {
        connected = true;
        log.info({ server: status.server }, "reconnected to NATS");
      } else if (status.type === "error") log.error({ err: status.error }, "NATS reported an error");
      else if (status.type === "slowConsumer")
        log.warn({ subject: status.sub.getSubject(), pending: status.pending }, "NATS subscription falls behind");
    }
  })();
  void nats.closed().then((error) => {
    connected = false;
    if (error) log.error({ err: error }, "the NATS connection closed for good");
  });
  return {
    nats,
    instanceId,
    isConnected: () => connected && !nats.isClosed(),
    async close(drainTimeoutMs = 2_000) {
      if (nats.isClosed()) return;
      let timer: NodeJS.Timeout | undefined;
      const drained = connected ? nats.drain().catch(() => undefined) : Promise.resolve();
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, drainTimeoutMs)))]);
      clearTimeout(timer);
      await nats.close();
    },
  };
}
