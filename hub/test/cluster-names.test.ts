import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clusterNames } from "../src/cluster/cluster-names.js";

describe("cluster names", () => {
  const names = clusterNames("telehub");

  test("subjects, stream, consumer and buckets sit under the prefix", () => {
    assert.equal(names.events, "telehub.events");
    assert.equal(names.liveAll, "telehub.live.*");
    assert.equal(names.frames("hub-a-8080"), "telehub.frames.hub-a-8080");
    assert.equal(names.ingestAll, "telehub.ingest.*");
    assert.equal(names.ingestStream, "telehub_ingest");
    assert.equal(names.ingestConsumer, "telehub_influx_writer");
    assert.equal(names.presenceBucket, "telehub_presence");
    assert.equal(names.instancesBucket, "telehub_instances");
    assert.equal(names.sequencesBucket, "telehub_sequences");
    assert.equal(names.leasesBucket, "telehub_leases");
    const other = clusterNames("site-2");
    assert.equal(other.events, "site-2.events");
    assert.equal(other.live("a"), "site-2.live.a");
  });

  test("a device id becomes one subject token: `.`, `:` and the escape `_` are escaped", () => {
    assert.equal(names.live("sensor-1"), "telehub.live.sensor-1");
    assert.equal(names.live("plant.hall:7_b"), "telehub.live.plant_2Ehall_3A7_5Fb");
    assert.equal(names.ingest("plant.hall:7_b"), "telehub.ingest.plant_2Ehall_3A7_5Fb");
    // Two ids that differ only by an escaped character never share a subject.
    assert.notEqual(names.live("a_2E"), names.live("a.")); // a_5F2E vs a_2E
    for (const id of ["plant.hall:7_b", "a_2E", "x.y.z"]) {
      const subject = names.live(id);
      assert.equal(subject.split(".").length, 3, subject);
      assert.match(subject.split(".")[2] as string, /^[A-Za-z0-9_-]+$/);
    }
  });
});
