import assert from "node:assert/strict";
import { test } from "node:test";
import { ReadingFreshness } from "../src/fleet/reading-freshness.js";
import type { DevicePresence } from "../src/gateway/device-presence.js";
import type { LiveFeed } from "../src/live/live-hub.js";

const nowhere: LiveFeed = { publishReadings: () => undefined, presenceChanged: () => undefined };

/** Devices connected (somewhere in the cluster) since the time each maps to. */
function connected(since: Map<string, number>): DevicePresence {
  return {
    connectedIds: () => [...since.keys()],
    presence: (id) => {
      const connectedAt = since.get(id);
      return connectedAt === undefined ? undefined : ({ connectedAt } as ReturnType<DevicePresence["presence"]>);
    },
    disconnect: () => false,
    settled: async () => undefined,
  };
}

test("a device is fresh by its newest reading, here or on another instance (newestElsewhere); a connection starts afresh", () => {
  const freshness = new ReadingFreshness(nowhere);
  const since = new Map([
    ["here", 1_000],
    ["elsewhere", 1_000],
    ["silent", 1_000],
  ]);
  const presence = connected(since);
  freshness.publishReadings("here", [{ ts: 9_000, metrics: { t: 1 } }]);
  freshness.newestElsewhere("elsewhere", 9_500);
  freshness.newestElsewhere("elsewhere", 8_000);
  assert.deepEqual(freshness.staleIds(presence, 10_000, 2_000), ["silent"], "connected at 1,000 and silent since");
  assert.deepEqual(freshness.staleIds(presence, 11_200, 2_000), ["here", "silent"], "9,500 is the newest, not 8,000");
  // It reconnects at 10,000: its readings from before no longer count, the connection does.
  freshness.presenceChanged("elsewhere", true, 10_000);
  since.set("elsewhere", 10_000);
  freshness.newestElsewhere("elsewhere", 9_900);
  assert.deepEqual(freshness.staleIds(presence, 11_900, 2_000), ["here", "silent"]);
  assert.deepEqual(freshness.staleIds(presence, 12_100, 2_000), ["here", "elsewhere", "silent"]);
});
