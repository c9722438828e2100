import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { clusterNames } from "../../src/cluster/cluster-names.js";
import { IngestDrainer, ingestDrainerMetrics } from "../../src/cluster/ingest-drainer.js";
import type { IngestStreamSettings } from "../../src/cluster/ingest-stream.js";
import { JetStreamTelemetryStore } from "../../src/cluster/jetstream-telemetry-store.js";
import type { HubConfig } from "../../src/config/hub-config.js";
import { HubMetrics } from "../../src/metrics.js";
import { type PrivateInfluxd, startInfluxd } from "../../src/testing/influxd.js";
import { type NatsServer, startNats } from "../../src/testing/nats.js";
import { influxSettings } from "./influx-store.js";

/** One hub instance's durable-ingest side: its NATS connection, JetStream store and drainer. */
export interface IngestInstance {
  nats: NatsConnection;
  store: JetStreamTelemetryStore;
  /** Absent with `withoutDrainer`. */
  drainer: IngestDrainer | undefined;
  metrics: HubMetrics;
  /** Close the drainer, the store and the connection. */
  close(): Promise<void>;
}

export interface IngestInstanceOptions {
  /** Prefix of the cluster's names (one per test suite on a shared nats-server). */
  prefix: string;
  influx?: Partial<HubConfig["influx"]>;
  stream?: Partial<IngestStreamSettings>;
  publishTimeoutMs?: number;
  /** Start no drainer (the batches stay in the stream). */
  withoutDrainer?: boolean;
}

/**
 * A JetStream store and its drainer against a private nats-server and influxd, as one cluster
 * instance runs them: small intervals, a short ack wait (a batch held by a drainer that lost
 * NATS comes back soon).
 */
export async function openIngestInstance(
  natsUrl: string,
  influxd: PrivateInfluxd,
  options: IngestInstanceOptions,
): Promise<IngestInstance> {
  const log = pino({ level: "silent" });
  const nats = await connect({ servers: natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  let connected = true;
  void (async () => {
    for await (const status of nats.status()) {
      if (status.type === "disconnect") connected = false;
      else if (status.type === "reconnect") connected = true;
    }
  })();
  const names = clusterNames(options.prefix);
  const influx = influxSettings(influxd, options.influx);
  const stream: IngestStreamSettings = {
    replicas: 1,
    maxBytes: 64 * 1024 * 1024,
    ackWaitMs: 2_000,
    maxAckPending: 20_000,
    ...options.stream,
  };
  const metrics = new HubMetrics();
  const store = await JetStreamTelemetryStore.open({
    nats,
    names,
    stream,
    influx,
    publishTimeoutMs: options.publishTimeoutMs ?? 2_000,
    queryWaitMs: 10_000,
    connected: () => connected,
    log,
  });
  const drainer = options.withoutDrainer
    ? undefined
    : await IngestDrainer.start({
        nats,
        names,
        stream,
        influx,
        dataDir: mkdtempSync(join(tmpdir(), "telehub-ingest-")),
        metrics: ingestDrainerMetrics(metrics),
        log,
        backlogIntervalMs: 200,
      });
  return {
    nats,
    store,
    drainer,
    metrics,
    async close() {
      await drainer?.close();
      await store.close();
      await nats.close();
    },
  };
}

/** The engines of a test file: a private nats-server and influxd, started before its tests and removed after them. */
export function ingestEngines(): { readonly nats: NatsServer; readonly influxd: PrivateInfluxd } {
  const engines = {} as { nats: NatsServer; influxd: PrivateInfluxd };
  before(async () => {
    [engines.nats, engines.influxd] = await Promise.all([startNats(), startInfluxd()]);
  });
  after(async () => {
    await Promise.all([engines.nats?.stop(), engines.influxd?.remove()]);
  });
  return engines;
}
