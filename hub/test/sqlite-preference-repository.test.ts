import { SqlitePreferenceRepository } from "../src/storage/sqlite/sqlite-preference-repository.js";
import { preferenceRepositoryContract } from "./contracts/preference-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

preferenceRepositoryContract("embedded SQLite", {
  open: async () => new SqlitePreferenceRepository(dbs.create().db),
  dispose: async () => dbs.dispose(),
});
