import { SqliteAuditLog } from "../src/storage/sqlite/sqlite-audit-log.js";
import { auditLogContract } from "./contracts/audit-log.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

auditLogContract("embedded SQLite", {
  open: async () => new SqliteAuditLog(dbs.create().db),
  dispose: async () => dbs.dispose(),
});
