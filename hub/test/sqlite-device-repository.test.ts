import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { META_MIGRATIONS } from "../src/storage/sqlite/meta-migrations.js";
import { openDatabase } from "../src/storage/sqlite/open-database.js";
import { SqliteDeviceRepository } from "../src/storage/sqlite/sqlite-device-repository.js";
import { deviceRepositoryContract } from "./contracts/device-repository.contract.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-devices-"));
const db = openDatabase(join(dir, "meta.db"), META_MIGRATIONS);

deviceRepositoryContract("embedded SQLite", {
  open: async () => new SqliteDeviceRepository(db),
  dispose: async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  },
});
