import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";

// The private nats-server the cluster tests run on: JetStream on, its store kept across a
// restart and a crash, everything gone after stop().

/** The messages stream `name` holds, through a fresh connection. */
async function storedMessages(url: string, name: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(name)).state.messages;
  } finally {
    await nc.close();
  }
}

describe("private nats-server", { skip: requireNats() }, () => {
  let nats: NatsServer;

  before(async () => {
    nats = await startNats();
  });
  after(async () => {
    await nats?.stop();
  });

  test("accepts connections on loopback with JetStream on", async () => {
    assert.match(nats.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: nats.url });
    try {
      assert.equal(nc.info?.jetstream, true);
      const sub = nc.subscribe("engine.echo", { max: 1 });
      nc.publish("engine.echo", "hello");
      for await (const msg of sub) assert.equal(msg.string(), "hello");
    } finally {
      await nc.close();
    }
  });

  test("the JetStream store survives a restart and a SIGKILL", async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "engine_test", subjects: ["engine.stream.>"] });
      const js = jetstream(nc);
      await js.publish("engine.stream.a", "one");
      await js.publish("engine.stream.a", "two");
    } finally {
      await nc.close();
    }
    const firstPid = nats.pid();
    await nats.restart();
    assert.notEqual(nats.pid(), firstPid);
    assert.equal(await storedMessages(nats.url, "engine_test"), 2);

    await nats.kill();
    await assert.rejects(connect({ servers: nats.url, reconnect: false, timeout: 1_000 }));
    await nats.start();
    assert.equal(await storedMessages(nats.url, "engine_test"), 2);
  });
});

describe("private nats-server with credentials", { skip: requireNats() }, () => {
  test("refuses a client without them, accepts one with them; stop() deletes the store", async () => {
    const nats = await startNats({ user: "hub", pass: "s3cret" });
    try {
      await assert.rejects(connect({ servers: nats.url, reconnect: false }));
      await assert.rejects(connect({ servers: nats.url, reconnect: false, user: "hub", pass: "wrong" }));
      const nc = await connect({ servers: nats.url, user: "hub", pass: "s3cret" });
      await nc.close();
    } finally {
      await nats.stop();
    }
    assert.equal(existsSync(nats.storeDir), false);
  });
});
