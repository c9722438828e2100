import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Kvm } from "@nats-io/kv";
import type { HubFrame, ProtocolErrorCode } from "@telehub/device-client/protocol";
import pino from "pino";
import { clusterNames } from "../src/cluster/cluster-names.js";
import { deviceToken } from "../src/cluster/device-token.js";
import { InstanceRegistry } from "../src/cluster/instance-registry.js";
import type { ClusterConnection } from "../src/cluster/nats-connection.js";
import type { NatsDeviceDirectory } from "../src/cluster/nats-device-directory.js";
import type { DirectorySession, LocalDevices } from "../src/gateway/device-directory.js";
import { openTestDirectory } from "./support/cluster-directory.js";
import { eventually } from "./support/eventually.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";

const skip = requireNats();
const silent = pino({ level: "silent" });

/** An instance's sessions as a gateway would keep them: what the directory asked of it is recorded. */
class TestGateway implements LocalDevices {
  readonly sessions = new Map<string, DirectorySession>();
  readonly delivered: { deviceId: string; frame: HubFrame }[] = [];
  readonly replacedSessions: DirectorySession[] = [];
  readonly disconnected: { deviceId: string; code: ProtocolErrorCode }[] = [];
  resends = 0;
  /** While set, `settled` waits for it (a write still committing). */
  pendingWrite: Promise<void> | undefined;

  open(deviceId: string, connectedAt = Date.now()): DirectorySession {
    const session: DirectorySession = { id: deviceId, connectedAt, transport: "ws", remoteAddress: "127.0.0.1" };
    this.sessions.set(deviceId, session);
    return session;
  }
  deliver(deviceId: string, frame: HubFrame): boolean {
    if (!this.sessions.has(deviceId)) return false;
    this.delivered.push({ deviceId, frame });
    return true;
  }
  replaced(session: DirectorySession): void {
    this.replacedSessions.push(session);
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }
  disconnect(deviceId: string, code: ProtocolErrorCode): boolean {
    this.disconnected.push({ deviceId, code });
    return this.sessions.delete(deviceId);
  }
  async settled(): Promise<void> {
    await this.pendingWrite;
  }
  resendPending(): void {
    this.resends++;
  }
}

interface Member {
  id: string;
  connection: ClusterConnection;
  directory: NatsDeviceDirectory;
  gateway: TestGateway;
}

describe("NatsDeviceDirectory on a real nats-server", { skip }, () => {
  let nats: NatsServer;
  const members: Member[] = [];
  let prefixes = 0;

  /** A directory of instance `id` in cluster `prefix`, with its own connection. */
  async function member(prefix: string, id: string, heartbeatIntervalMs = 200): Promise<Member> {
    const { connection, directory } = await openTestDirectory(nats.url, prefix, id, heartbeatIntervalMs);
    const gateway = new TestGateway();
    directory.attach(gateway);
    const created = { id, connection, directory, gateway };
    members.push(created);
    return created;
  }

  /** Open a session of `deviceId` on `at`, as the gateway does. */
  function connect(at: Member, deviceId: string, connectedAt?: number): DirectorySession {
    const session = at.gateway.open(deviceId, connectedAt);
    at.directory.opened(session);
    return session;
  }

  /** A fresh cluster (prefix): each test its own buckets and subjects. */
  const cluster = (): string => `nd${process.pid}x${++prefixes}`;

  before(async () => {
    nats = await startNats();
  });
  after(async () => {
    for (const { directory, connection } of members) {
      await directory.close();
      await connection.close();
    }
    await nats?.stop();
  });

  test("the newest claim wins across instances; the replaced session's close leaves the newer claim in place", async () => {
    const prefix = cluster();
    const [x, y, z] = [await member(prefix, "x"), await member(prefix, "y"), await member(prefix, "z")];
    const older = connect(x, "dev-1");
    await eventually(() => z.directory.presence("dev-1")?.instanceId === "x", "z sees dev-1 on x");
    connect(y, "dev-1");
    await eventually(() => x.gateway.replacedSessions.includes(older), "x is told its session was replaced");
    assert.equal(y.gateway.replacedSessions.length, 0);
    // x's gateway closes the replaced session: its claim is no longer x's to delete.
    x.directory.closed(older);
    await eventually(() => z.directory.presence("dev-1")?.instanceId === "y", "z sees dev-1 on y");
    await x.directory.close();
    assert.equal(z.directory.presence("dev-1")?.instanceId, "y");
    assert.deepEqual(z.directory.connectedIds(), ["dev-1"]);
  });

  test("a session that closes as a newer claim lands does not delete it (compare-and-delete on its own revision)", async () => {
    const prefix = cluster();
    const names = clusterNames(prefix);
    const [x, y] = [await member(prefix, "x"), await member(prefix, "y")];
    const kv = await new Kvm(y.connection.nats).open(names.presenceBucket);
    for (let round = 0; round < 10; round++) {
      const deviceId = `dev-race-${round}`;
      const session = connect(x, deviceId);
      await eventually(() => y.directory.presence(deviceId)?.instanceId === "x", "y sees the device on x");
      // Another instance's newer claim is written; x's session closes before (or as) x hears of it.
      const newer = { instanceId: "w", bootId: "b", sessionId: `s${round}`, connectedAt: 1, transport: "ws", remoteAddress: "127.0.0.1" };
      await kv.put(deviceToken(deviceId), new TextEncoder().encode(JSON.stringify(newer)));
      x.directory.closed(session);
    }
    // Closing waits for every compare-and-delete to be answered.
    await x.directory.close();
    for (let round = 0; round < 10; round++) {
      const entry = await kv.get(deviceToken(`dev-race-${round}`));
      assert.equal(entry?.operation, "PUT", `round ${round}`);
      assert.equal(entry?.json<{ instanceId: string }>().instanceId, "w", `round ${round}`);
    }
  });

  test("a session replaced on the same instance, then closed, leaves the newer session's claim", async () => {
    const prefix = cluster();
    const [x, y] = [await member(prefix, "x"), await member(prefix, "y")];
    const first = connect(x, "dev-2", 1_000);
    connect(x, "dev-2", 2_000);
    x.directory.closed(first);
    await eventually(() => y.directory.presence("dev-2")?.connectedAt === 2_000, "y sees the second session");
    // Closing waits for the first session's compare-and-delete to be answered.
    await x.directory.close();
    const entry = await (await new Kvm(y.connection.nats).open(clusterNames(prefix).presenceBucket)).get(deviceToken("dev-2"));
    assert.equal(entry?.operation, "PUT");
    assert.equal(entry?.json<{ connectedAt: number }>().connectedAt, 2_000);
  });

  test("a closed session's claim is deleted: no instance counts the device any more", async () => {
    const prefix = cluster();
    const [x, y] = [await member(prefix, "x"), await member(prefix, "y")];
    const session = connect(x, "dev-3");
    await eventually(() => y.directory.presence("dev-3") !== undefined, "y sees dev-3");
    x.directory.closed(session);
    await eventually(() => y.directory.presence("dev-3") === undefined, "y no longer sees dev-3");
    assert.deepEqual(y.directory.connectedIds(), []);
    assert.equal(y.directory.send("dev-3", { t: "cmd_done", id: "c1" }), false);
  });

  test("frames and disconnects go to the holder; settled waits for the holder's writes", async () => {
    const prefix = cluster();
    const [x, y] = [await member(prefix, "x"), await member(prefix, "y")];
    connect(x, "dev-4");
    await eventually(() => y.directory.presence("dev-4") !== undefined, "y sees dev-4");
    const frame: HubFrame = { t: "cmd", id: "c-1", name: "set", args: { celsius: 21.5, list: [1, "two", null], nested: { on: true } } };
    assert.equal(y.directory.send("dev-4", frame), true);
    await eventually(() => x.gateway.delivered.length === 1, "x got the frame");
    assert.deepEqual(x.gateway.delivered[0], { deviceId: "dev-4", frame });

    let commit!: () => void;
    x.gateway.pendingWrite = new Promise((resolve) => (commit = resolve));
    assert.equal(y.directory.disconnect("dev-4", "TH_DEVICE_DELETED"), true);
    let settled = false;
    const waiting = y.directory.settled("dev-4").then(() => (settled = true));
    await eventually(() => x.gateway.disconnected.length === 1, "x was asked to disconnect");
    assert.deepEqual(x.gateway.disconnected[0], { deviceId: "dev-4", code: "TH_DEVICE_DELETED" });
    // Anything x had sent by now has reached y once both connections are flushed (the server keeps each one's order).
    await x.connection.nats.flush();
    await y.connection.nats.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, "settled before the holder's write committed");
    commit();
    await waiting;
    // A device no live instance holds: nothing is routed.
    assert.equal(y.directory.disconnect("nobody", "TH_DEVICE_DELETED"), false);
    assert.equal(y.directory.send("nobody", frame), false);
  });

  test("a frame that reaches an instance no longer holding the device is sent on to the holder, once", async () => {
    const prefix = cluster();
    const names = clusterNames(prefix);
    const [x, y] = [await member(prefix, "x"), await member(prefix, "y")];
    connect(x, "dev-10");
    await eventually(() => y.directory.presence("dev-10") !== undefined, "y sees dev-10");
    // As from an instance whose view was behind: sent to y, which does not hold the device.
    const routed = (id: string, forwarded: boolean) =>
      new TextEncoder().encode(JSON.stringify({ op: "frame", deviceId: "dev-10", frame: { t: "cmd_done", id }, forwarded }));
    y.connection.nats.publish(names.frames("y"), routed("already-forwarded", true));
    y.connection.nats.publish(names.frames("y"), routed("moved", false));
    await eventually(() => x.gateway.delivered.length > 0, "x got the frame");
    await y.connection.nats.flush();
    await x.connection.nats.flush();
    assert.deepEqual(x.gateway.delivered, [{ deviceId: "dev-10", frame: { t: "cmd_done", id: "moved" } }]);
  });

  test("garbage on an instance's frames subject or in the presence bucket is ignored", async () => {
    const prefix = cluster();
    const names = clusterNames(prefix);
    const [x, y] = [await member(prefix, "x"), await member(prefix, "y")];
    const kv = await new Kvm(y.connection.nats).open(names.presenceBucket);
    const encoder = new TextEncoder();
    await kv.put(deviceToken("dev-6"), encoder.encode("{}"));
    await kv.put(deviceToken("dev-7"), encoder.encode("not json"));
    // The bucket's entries arrive in order: once dev-5's claim is seen, the garbage before it was handled.
    connect(x, "dev-5");
    await eventually(() => y.directory.presence("dev-5") !== undefined, "y sees dev-5");
    assert.equal(y.directory.presence("dev-6"), undefined);
    assert.equal(y.directory.presence("dev-7"), undefined);
    assert.deepEqual(y.directory.connectedIds(), ["dev-5"]);
    y.connection.nats.publish(names.frames("x"), encoder.encode("not json"));
    y.connection.nats.publish(names.frames("x"), encoder.encode(JSON.stringify({ op: "disconnect", deviceId: "dev-5", code: "NOPE" })));
    y.connection.nats.publish(names.frames("x"), encoder.encode(JSON.stringify({ op: "frame", deviceId: "dev-5", frame: "cmd" })));
    // From one publisher on one subject, in order: once this arrives, the garbage before it was handled.
    assert.equal(y.directory.send("dev-5", { t: "cmd_done", id: "after" }), true);
    await eventually(() => x.gateway.delivered.length > 0, "x got the frame after the garbage");
    assert.deepEqual(x.gateway.delivered, [{ deviceId: "dev-5", frame: { t: "cmd_done", id: "after" } }]);
    assert.deepEqual(x.gateway.disconnected, []);
  });

  test("an instance is alive only while it beats, and only in its latest life", async () => {
    const prefix = cluster();
    const names = clusterNames(prefix);
    const y = await member(prefix, "y");
    const kv = await new Kvm(y.connection.nats).open(names.instancesBucket);
    let now = Date.now();
    const registry = new InstanceRegistry(kv, silent, () => now);
    await (await registry.start()).caughtUp;
    try {
      const beat = (bootId: string) =>
        kv.put("x", new TextEncoder().encode(JSON.stringify({ instanceId: "x", bootId, intervalMs: 1_000, at: 0 })));
      await beat("first");
      await eventually(() => registry.isAlive("x", "first"), "x alive in its first life");
      assert.equal(registry.isAlive("x", "second"), false);
      await beat("second");
      await eventually(() => registry.isAlive("x", "second"), "x alive in its second life");
      assert.equal(registry.isAlive("x", "first"), false, "a previous life is dead");
      now += 2_999;
      assert.equal(registry.isAlive("x", "second"), true, "two missed beats: still alive");
      now += 1;
      assert.equal(registry.isAlive("x", "second"), false, "three missed beats: dead");
      assert.equal(registry.isAlive("nobody", "first"), false);
    } finally {
      registry.stop();
    }
  });

  test("a restarted instance (same id, new life): its previous life's claims count as absent and are deleted", async () => {
    const prefix = cluster();
    const [first, y] = [await member(prefix, "x"), await member(prefix, "y")];
    connect(first, "dev-7");
    await eventually(() => y.directory.presence("dev-7")?.instanceId === "x", "y sees dev-7 on x");
    // Killed: nothing released.
    await first.connection.nats.close();
    await member(prefix, "x", 60_000);
    await eventually(() => y.directory.presence("dev-7") === undefined, "y no longer counts the old life's claim");
    const kv = await new Kvm(y.connection.nats).open(clusterNames(prefix).presenceBucket);
    await eventually(async () => (await kv.get(deviceToken("dev-7")))?.operation === "DEL", "the new life deleted the old claim");
  });

  test("an instance closed gracefully deletes its heartbeat: the others count its devices as gone without waiting for missed beats", async () => {
    const prefix = cluster();
    // Beats a minute apart: only the deletion can make y count x as gone within the wait.
    const [x, y] = [await member(prefix, "x", 60_000), await member(prefix, "y", 60_000)];
    connect(x, "dev-8");
    await eventually(() => y.directory.presence("dev-8") !== undefined, "y sees dev-8");
    // As if the gateway could not release the claim (NATS refused it): the heartbeat's deletion still tells.
    await x.directory.close();
    await eventually(() => y.directory.presence("dev-8") === undefined, "y counts x's device as gone");
  });

  test("after NATS restarts, claims are still there and every instance resends its sessions' pending commands", async () => {
    const prefix = cluster();
    const [x, y] = [await member(prefix, "x", 300), await member(prefix, "y", 300)];
    connect(x, "dev-9");
    await eventually(() => y.directory.presence("dev-9") !== undefined, "y sees dev-9");
    await nats.restart();
    await eventually(() => x.gateway.resends > 0 && y.gateway.resends > 0, "both instances resent after the reconnection", 15_000);
    // y may have reconnected before x: a frame sent before x's subscription is back is lost (x's resend covers that).
    await eventually(
      () => y.directory.send("dev-9", { t: "cmd_done", id: "again" }) && x.gateway.delivered.some((d) => d.frame.t === "cmd_done"),
      "x gets y's frames again",
      15_000,
    );
  });
});
