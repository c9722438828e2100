import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/config/load-config.js";

const KEY = Buffer.alloc(32, 7).toString("base64");
const CLUSTER = {
  TELEHUB_CLUSTER_POSTGRES_URL: "postgres://telehub:secret@db:5432/telehub",
  TELEHUB_CLUSTER_NATS_URLS: "nats://n1:4222, nats://n2:4222",
  TELEHUB_STORAGE_TELEMETRY: "influxdb",
  TELEHUB_SECURITY_SECRETS_KEY: KEY,
};

function refused(env: Record<string, string>, message: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => error instanceof ConfigError && message.test(error.message),
  );
}

test("cluster mode: a complete cluster configuration is accepted; none at all is a single node", () => {
  const config = loadConfig(CLUSTER);
  assert.equal(config.cluster.postgresUrl, CLUSTER.TELEHUB_CLUSTER_POSTGRES_URL);
  assert.equal(config.cluster.natsPrefix, "telehub");
  assert.equal(loadConfig({}).cluster.postgresUrl, "");
});

test("cluster mode is refused half-set, with the SQLite telemetry store, without a shared secrets key, or with bad names", () => {
  refused({ ...CLUSTER, TELEHUB_CLUSTER_NATS_URLS: "" }, /needs both .*only postgresUrl is set/);
  refused({ ...CLUSTER, TELEHUB_CLUSTER_POSTGRES_URL: "" }, /needs both .*only natsUrls is set/);
  refused({ ...CLUSTER, TELEHUB_STORAGE_TELEMETRY: "sqlite" }, /SQLite telemetry store is single-node/);
  refused({ ...CLUSTER, TELEHUB_SECURITY_SECRETS_KEY: "" }, /set security\.secretsKey/);
  refused({ ...CLUSTER, TELEHUB_CLUSTER_POSTGRES_URL: "mysql://u:pw@db/x" }, /must start with postgres:\/\//);
  refused({ ...CLUSTER, TELEHUB_CLUSTER_NATS_URLS: "nats://n1:4222,http://n2" }, /nats:\/\/host:port/);
  refused({ ...CLUSTER, TELEHUB_CLUSTER_NATS_PREFIX: "tele.hub" }, /natsPrefix may hold only/);
  refused({ ...CLUSTER, TELEHUB_CLUSTER_INSTANCE_ID: "hub a" }, /instanceId may hold only/);
});

test("a refused PostgreSQL URL's password is not repeated in the message", () => {
  assert.throws(
    () => loadConfig({ ...CLUSTER, TELEHUB_CLUSTER_POSTGRES_URL: "pg://telehub:hunter2@db/x" }),
    (error: unknown) => error instanceof ConfigError && !error.message.includes("hunter2") && error.message.includes("***"),
  );
});
