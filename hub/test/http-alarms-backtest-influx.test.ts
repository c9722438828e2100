import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BacktestResult } from "../src/alarms/alarm-api.js";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { summariseBacktest, TOO_HOT_CONDITION, tooHotBacktest, tooHotHistory } from "./support/alarm-rule-bodies.js";
import { eventually } from "./support/eventually.js";
import { HttpTestHub, T0 } from "./support/http-test-hub.js";
import { openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

describe("HTTP API: a backtest on history stored in a real influxd", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  let t: HttpTestHub;
  let dispose: () => void;

  before(async () => {
    influxd = await startInfluxd();
    const influx = openInfluxStore(influxd, { database: "alarms_backtest", createDatabase: true });
    dispose = influx.dispose;
    t = await HttpTestHub.start({ telemetry: influx.store });
    await t.createDevice("bt-influx");
    await influx.store.append(
      tooHotHistory(T0).map(([ts, metrics], i) => ({ deviceId: "bt-influx", seq: i + 1, receivedAt: ts, readings: [{ ts, metrics }] })),
    );
  });

  after(async () => {
    await t?.close();
    dispose?.();
    await influxd?.remove();
  });

  it("answers the same steps and spans as on the embedded store", async () => {
    const body = {
      rule: { name: "Too hot", scope: { kind: "device", deviceId: "bt-influx" }, condition: TOO_HOT_CONDITION },
      deviceId: "bt-influx",
      from: T0 - 120_000,
      to: T0,
    };
    let result: BacktestResult | undefined;
    // The store acknowledges once its spool holds the points; influxd has them a flush later.
    await eventually(async () => {
      const response = await t.request("POST", "/api/v1/alarm-rules/backtest", { body });
      assert.equal(response.statusCode, 200, response.body);
      result = response.json() as BacktestResult;
      return result.points === 6;
    }, "influxd holds the six readings");
    assert.ok(result);
    assert.equal(result.truncated, false);
    assert.deepEqual(summariseBacktest(result), tooHotBacktest(T0, T0));
  });
});
