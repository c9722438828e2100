import { SqliteUserRepository } from "../src/storage/sqlite/sqlite-user-repository.js";
import { userRepositoryContract } from "./contracts/user-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

userRepositoryContract("embedded SQLite", {
  open: async () => new SqliteUserRepository(dbs.create().db),
  dispose: async () => dbs.dispose(),
});
