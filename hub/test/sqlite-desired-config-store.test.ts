import { SqliteDesiredConfigStore } from "../src/storage/sqlite/sqlite-desired-config-store.js";
import { desiredConfigStoreContract } from "./contracts/desired-config-store.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

desiredConfigStoreContract("embedded SQLite", {
  open: async () => {
    const { db, secrets } = dbs.create();
    const row = db.prepare("SELECT * FROM device_config WHERE device_id = ?");
    return {
      store: new SqliteDesiredConfigStore(db, secrets),
      readRaw: async (deviceId) => Object.values(row.get(deviceId) as object).join("\n"),
    };
  },
  dispose: async () => dbs.dispose(),
});
