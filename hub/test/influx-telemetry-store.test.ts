import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import { type PrivateInfluxd, startInfluxd } from "../src/testing/influxd.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";
import { openInfluxStore } from "./support/influx-store.js";
import { requireInfluxd } from "./support/require-binary.js";

describe("InfluxDB telemetry store (private influxd)", { skip: requireInfluxd() }, () => {
  let influxd: PrivateInfluxd;
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-influx-contract-"));
  before(async () => {
    influxd = await startInfluxd();
  });
  after(async () => {
    await influxd?.remove();
  });
  const open = async () => openInfluxStore(influxd, {}, dataDir).store;
  telemetryStoreContract("InfluxDB 1.x over the v1 HTTP API", {
    open,
    reopen: open,
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  });
});
