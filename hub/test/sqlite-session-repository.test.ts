import { SqliteSessionRepository } from "../src/storage/sqlite/sqlite-session-repository.js";
import { SqliteUserRepository } from "../src/storage/sqlite/sqlite-user-repository.js";
import { sessionRepositoryContract } from "./contracts/session-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

sessionRepositoryContract("embedded SQLite", {
  open: async () => {
    const { db } = dbs.create();
    return { sessions: new SqliteSessionRepository(db), users: new SqliteUserRepository(db) };
  },
  dispose: async () => dbs.dispose(),
});
