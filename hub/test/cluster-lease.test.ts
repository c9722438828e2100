import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import pino from "pino";
import { ClusterLease } from "../src/cluster/cluster-lease.js";
import { eventually } from "./support/eventually.js";
import { type NatsServer, requireNats, startNats } from "./support/nats.js";

const TTL_MS = 1_500;

/** One instance's view: its connection, the bucket, the lease and what it was told. */
interface Contender {
  nc: NatsConnection;
  lease: ClusterLease;
  told: string[];
}

describe("ClusterLease: one holder of a duty across instances", { skip: requireNats() }, () => {
  let nats: NatsServer;
  const contenders: Contender[] = [];

  before(async () => {
    nats = await startNats();
  });
  after(async () => {
    for (const c of contenders) {
      await c.lease.stop();
      await c.nc.close().catch(() => undefined);
    }
    await nats.stop();
  });

  async function contender(id: string, bucket: string): Promise<Contender> {
    const nc = await connect({ servers: nats.url });
    const kv: KV = await new Kvm(nc).create(bucket, { ttl: TTL_MS });
    const told: string[] = [];
    const lease = new ClusterLease(
      kv,
      "sweeper",
      id,
      {
        acquired: () => {
          told.push("acquired");
        },
        lost: () => {
          told.push("lost");
        },
      },
      {
        ttlMs: TTL_MS,
        log: pino({ level: "silent" }),
      },
    );
    const made = { nc, lease, told };
    contenders.push(made);
    return made;
  }

  test("of three contenders exactly one holds it; a stopped holder hands it on at once", async () => {
    const all = await Promise.all(["a", "b", "c"].map((id) => contender(id, "leases_handover")));
    for (const c of all) c.lease.start();
    await eventually(() => all.some((c) => c.lease.held), "one holds the lease", 10_000);
    // Several renewal rounds: still exactly one, and never a second one told "acquired".
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    assert.equal(all.filter((c) => c.lease.held).length, 1);
    assert.equal(all.flatMap((c) => c.told).filter((t) => t === "acquired").length, 1);
    const holder = all.find((c) => c.lease.held) as Contender;
    await holder.lease.stop();
    assert.deepEqual(holder.told, ["acquired", "lost"]);
    const others = all.filter((c) => c !== holder);
    await eventually(() => others.some((c) => c.lease.held), "another instance takes it over", 10_000);
    assert.equal(others.filter((c) => c.lease.held).length, 1);
  });

  test("a holder that dies without releasing is replaced once its entry expires", async () => {
    const first = await contender("first", "leases_crash");
    first.lease.start();
    await eventually(() => first.lease.held, "the first holds the lease", 10_000);
    const second = await contender("second", "leases_crash");
    second.lease.start();
    await new Promise((r) => setTimeout(r, TTL_MS));
    assert.equal(second.lease.held, false, "not while the holder renews");
    // The holder's process dies: its connection goes, nothing is released.
    await first.nc.close();
    await eventually(() => second.lease.held, "the second takes it after the entry expired", 10_000);
    // The dead holder's renewals fail: it gives the duty up by itself.
    await eventually(() => !first.lease.held, "the dead holder no longer thinks it holds it", 10_000);
    assert.deepEqual(first.told, ["acquired", "lost"]);
  });
});
