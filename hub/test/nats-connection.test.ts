import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, test } from "node:test";
import pino from "pino";
import { connectCluster, instanceIdOf } from "../src/cluster/nats-connection.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { ConfigError } from "../src/config/load-config.js";
import { freePort } from "../src/testing/influxd.js";
import { testClusterSettings } from "./support/cluster-instance.js";
import { eventually } from "./support/eventually.js";
import { requireNats, startNats } from "./support/nats.js";

const quiet = pino({ level: "silent" });

describe("instance id", () => {
  test("cluster.instanceId when set, else <hostname>-<port> with only subject-safe characters", () => {
    assert.equal(instanceIdOf({ cluster: { ...DEFAULT_CONFIG.cluster, instanceId: "hub-a" } }, 8080), "hub-a");
    const derived = instanceIdOf(DEFAULT_CONFIG, 8081);
    assert.equal(derived, `${hostname()}-8081`.replace(/[^A-Za-z0-9_-]/g, "-"));
    assert.match(derived, /^[A-Za-z0-9_-]+-8081$/);
  });
});

describe("connecting to the cluster's NATS", { skip: requireNats() }, () => {
  test("with the credentials: connected under the instance's name; wrong ones are a ConfigError at once", async () => {
    const nats = await startNats({ user: "hub", pass: "s3cret" });
    try {
      const connection = await connectCluster(testClusterSettings(nats.url, { natsUser: "hub", natsPassword: "s3cret" }), "hub-a", quiet);
      assert.equal(connection.isConnected(), true);
      assert.equal(connection.instanceId, "hub-a");
      await connection.close();
      assert.equal(connection.isConnected(), false);
      await assert.rejects(
        connectCluster(testClusterSettings(nats.url, { natsUser: "hub", natsPassword: "wrong" }), "hub-a", quiet),
        (error: Error) =>
          error instanceof ConfigError && /refused this instance's credentials/.test(error.message) && /natsPassword/.test(error.message),
      );
    } finally {
      await nats.stop();
    }
  });

  test("a token server and a token", async () => {
    const nats = await startNats({ token: "t0ken" });
    try {
      const connection = await connectCluster(testClusterSettings(nats.url, { natsToken: "t0ken" }), "hub-b", quiet);
      assert.equal(connection.isConnected(), true);
      await connection.close();
    } finally {
      await nats.stop();
    }
  });

  test("no server answering within natsConnectTimeoutMs: an error that says the engine is down", async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      connectCluster(testClusterSettings(url, { natsConnectTimeoutMs: 300 }), "hub-a", quiet),
      (error: Error) => !(error instanceof ConfigError) && /no NATS server answered at .* within 300 ms/.test(error.message),
    );
  });

  test("a server that starts while the hub waits: the first connection is tried again until it succeeds", async () => {
    const nats = await startNats();
    try {
      await nats.kill();
      const logged: string[] = [];
      const log = pino({ level: "warn" }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });
      const connecting = connectCluster(testClusterSettings(nats.url), "hub-a", log);
      await eventually(() => logged.includes("NATS is not reachable yet; trying again"), "a first attempt failed", 10_000);
      await nats.start();
      const connection = await connecting;
      assert.equal(connection.isConnected(), true);
      await connection.close();
    } finally {
      await nats.stop();
    }
  });
});
