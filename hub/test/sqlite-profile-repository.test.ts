import { SqliteDeviceRepository } from "../src/storage/sqlite/sqlite-device-repository.js";
import { SqliteProfileRepository } from "../src/storage/sqlite/sqlite-profile-repository.js";
import { profileRepositoryContract } from "./contracts/profile-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";
import { rawRows } from "./support/raw-rows.js";

const dbs = new MetaDbs();

profileRepositoryContract("embedded SQLite", {
  open: async () => {
    const { db, secrets } = dbs.create();
    return {
      profiles: new SqliteProfileRepository(db, secrets),
      devices: new SqliteDeviceRepository(db),
      readRaw: rawRows(
        db,
        "SELECT id, definition FROM profiles WHERE id = ? UNION ALL SELECT profile_id, definition FROM profile_versions WHERE profile_id = ?",
      ),
    };
  },
  dispose: async () => dbs.dispose(),
});
