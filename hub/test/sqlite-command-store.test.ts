import { SqliteCommandStore } from "../src/storage/sqlite/sqlite-command-store.js";
import { commandStoreContract } from "./contracts/command-store.contract.js";
import { MetaDbs } from "./support/meta-db.js";
import { rawRows } from "./support/raw-rows.js";

const dbs = new MetaDbs();

commandStoreContract("embedded SQLite", {
  open: async () => {
    const { db, secrets } = dbs.create();
    return { store: new SqliteCommandStore(db, secrets), readRaw: rawRows(db, "SELECT * FROM commands WHERE id = ?") };
  },
  dispose: async () => dbs.dispose(),
});
