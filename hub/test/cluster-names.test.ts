import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clusterNames } from "../src/cluster/cluster-names.js";

describe("cluster names", () => {
  const names = clusterNames("telehub");

  test("subjects, stream, consumer and buckets sit under the prefix", () => {
    assert.equal(names.events, "telehub.events");
    assert.equal(names.liveReadingsAll, "telehub.live.readings.*");
    assert.equal(names.livePresenceAll, "telehub.live.presence.*");
    assert.equal(names.liveNewest, "telehub.live.newest");
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
    assert.equal(other.liveReadings("a"), "site-2.live.readings.a");
    assert.equal(other.livePresence("a"), "site-2.live.presence.a");
  });

  test("a device id becomes one subject token: `.`, `:` and the escape `_` are escaped", () => {
    assert.equal(names.liveReadings("sensor-1"), "telehub.live.readings.sensor-1");
    assert.equal(names.livePresence("plant.hall:7_b"), "telehub.live.presence.plant_2Ehall_3A7_5Fb");
    assert.equal(names.ingest("plant.hall:7_b"), "telehub.ingest.plant_2Ehall_3A7_5Fb");
    // Two ids that differ only by an escaped character never share a subject.
    assert.notEqual(names.liveReadings("a_2E"), names.liveReadings("a.")); // a_5F2E vs a_2E
    for (const id of ["plant.hall:7_b", "a_2E", "x.y.z"]) {
      const subject = names.liveReadings(id);
      assert.equal(subject.split(".").length, 4, subject);
      assert.match(subject.split(".")[3] as string, /^[A-Za-z0-9_-]+$/);
    }
  });
});
