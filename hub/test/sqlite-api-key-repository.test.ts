import { SqliteApiKeyRepository } from "../src/storage/sqlite/sqlite-api-key-repository.js";
import { SqliteUserRepository } from "../src/storage/sqlite/sqlite-user-repository.js";
import { apiKeyRepositoryContract } from "./contracts/api-key-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

apiKeyRepositoryContract("embedded SQLite", {
  open: async () => {
    const { db } = dbs.create();
    return { keys: new SqliteApiKeyRepository(db), users: new SqliteUserRepository(db) };
  },
  dispose: async () => dbs.dispose(),
});
