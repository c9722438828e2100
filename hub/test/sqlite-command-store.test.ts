import { SqliteCommandStore } from "../src/storage/sqlite/sqlite-command-store.js";
import { commandStoreContract } from "./contracts/command-store.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

commandStoreContract("embedded SQLite", {
  open: async () => {
    const { db, secrets } = dbs.create();
    const row = db.prepare("SELECT * FROM commands WHERE id = ?");
    return {
      store: new SqliteCommandStore(db, secrets),
      readRaw: async (id) => Object.values(row.get(id) as object).join("\n"),
    };
  },
  dispose: async () => dbs.dispose(),
});
