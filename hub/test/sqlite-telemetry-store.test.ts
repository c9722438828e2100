import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-sqlite-store-"));
const path = join(dir, "telemetry.db");

telemetryStoreContract("embedded SQLite", {
  open: async () => new SqliteTelemetryStore(path),
  reopen: async () => new SqliteTelemetryStore(path),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});
