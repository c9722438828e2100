import { SqliteDesiredConfigStore } from "../src/storage/sqlite/sqlite-desired-config-store.js";
import { desiredConfigStoreContract } from "./contracts/desired-config-store.contract.js";
import { MetaDbs } from "./support/meta-db.js";
import { rawRows } from "./support/raw-rows.js";

const dbs = new MetaDbs();

desiredConfigStoreContract("embedded SQLite", {
  open: async () => {
    const { db, secrets } = dbs.create();
    return { store: new SqliteDesiredConfigStore(db, secrets), readRaw: rawRows(db, "SELECT * FROM device_config WHERE device_id = ?") };
  },
  dispose: async () => dbs.dispose(),
});
