import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { InstanceHeartbeat, MISSED_BEATS } from "../src/cluster/instance-heartbeat.js";
import { InstanceRegistry } from "../src/cluster/instance-registry.js";
import { eventually } from "./support/eventually.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";

const BEAT_MS = 100;
const log = pino({ level: "silent" });

describe("InstanceRegistry: which instances left or died", { skip: requireNats() }, () => {
  let nats: NatsServer;
  const connections: NatsConnection[] = [];

  before(async () => {
    nats = await startNats();
  });
  after(async () => {
    for (const nc of connections) await nc.close().catch(() => undefined);
    await nats.stop();
  });

  async function bucket(name: string): Promise<{ nc: NatsConnection; kv: KV }> {
    const nc = await connect({ servers: nats.url });
    connections.push(nc);
    return { nc, kv: await new Kvm(nc).create(name, { history: 1, ttl: MISSED_BEATS * BEAT_MS }) };
  }

  test("an instance that shuts down, and one whose beats stop, are each told once; one that beats again can leave again", async () => {
    const watcher = await bucket("instances_left");
    const registry = new InstanceRegistry(watcher.kv, log);
    const left: string[] = [];
    registry.onLeft((id) => left.push(id));
    await (await registry.start()).caughtUp;
    try {
      const graceful = new InstanceHeartbeat(
        (await bucket("instances_left")).kv,
        { instanceId: "hub-a", bootId: "a1", intervalMs: BEAT_MS },
        log,
      );
      const dying = await bucket("instances_left");
      const killed = new InstanceHeartbeat(dying.kv, { instanceId: "hub-b", bootId: "b1", intervalMs: BEAT_MS }, log);
      await graceful.start();
      await killed.start();
      await eventually(() => registry.isAlive("hub-a", "a1") && registry.isAlive("hub-b", "b1"), "both instances are alive");
      await new Promise((resolve) => setTimeout(resolve, 5 * BEAT_MS));
      assert.equal(left.length, 0, "nobody left while both beat");
      await graceful.stop();
      await eventually(() => left.includes("hub-a"), "the instance that shut down is told");
      // The process dies: its connection goes, its entry stays until it expires.
      await dying.nc.close();
      await eventually(() => left.includes("hub-b"), "the instance whose beats stopped is told", 5_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.deepEqual(left.sort(), ["hub-a", "hub-b"], "each once");
      const back = new InstanceHeartbeat(
        (await bucket("instances_left")).kv,
        { instanceId: "hub-a", bootId: "a2", intervalMs: BEAT_MS },
        log,
      );
      await back.start();
      await eventually(() => registry.isAlive("hub-a", "a2"), "hub-a is back");
      await back.stop();
      await eventually(() => left.filter((id) => id === "hub-a").length === 2, "hub-a leaves again");
    } finally {
      registry.stop();
    }
  });
});
