import type { DataValue } from "@telehub/device-client/protocol";
import type Database from "better-sqlite3";
import type { DesiredConfigStore, DeviceConfigRecord } from "../../desired-config/desired-config-store.js";
import type { SecretFields } from "../../security/secret-fields.js";

/** A row of `device_config` (meta.db and PostgreSQL alike). */
export interface ConfigRow {
  device_id: string;
  version: number;
  document: string;
  updated_at: number;
  updated_by: string | null;
  reported_version: number;
  reported_at: number | null;
  reported_error: string | null;
}

/** The configuration a row holds, its secret values opened. */
export function toRecord(row: ConfigRow, secrets: SecretFields): DeviceConfigRecord {
  return {
    deviceId: row.device_id,
    version: row.version,
    document: secrets.open(JSON.parse(row.document) as DeviceConfigRecord["document"]),
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    reportedVersion: row.reported_version,
    reportedAt: row.reported_at,
    reportedError: row.reported_error,
  };
}

/** Desired configuration in the embedded metadata database; the document's secret values are stored encrypted. */
export class SqliteDesiredConfigStore implements DesiredConfigStore {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly secrets: SecretFields,
  ) {
    this.statements = {
      get: db.prepare("SELECT * FROM device_config WHERE device_id = ?"),
      upsert: db.prepare(
        `INSERT INTO device_config (device_id, version, document, updated_at, updated_by) VALUES (@deviceId, 1, @document, @at, @by)
         ON CONFLICT (device_id) DO UPDATE SET version = version + 1, document = excluded.document, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ),
      reportOk: db.prepare(
        "UPDATE device_config SET reported_version = MAX(reported_version, @version), reported_at = @at, reported_error = NULL WHERE device_id = @deviceId",
      ),
      reportError: db.prepare("UPDATE device_config SET reported_at = @at, reported_error = @error WHERE device_id = @deviceId"),
      delete: db.prepare("DELETE FROM device_config WHERE device_id = ?"),
    };
  }

  async get(deviceId: string): Promise<DeviceConfigRecord | undefined> {
    const row = this.statements.get.get(deviceId) as ConfigRow | undefined;
    return row && toRecord(row, this.secrets);
  }

  async set(deviceId: string, document: { [key: string]: DataValue }, at: number, by: string | null): Promise<DeviceConfigRecord> {
    this.statements.upsert.run({ deviceId, document: JSON.stringify(this.secrets.seal(document)), at, by });
    return (await this.get(deviceId)) as DeviceConfigRecord;
  }

  async report(deviceId: string, version: number, error: string | null, at: number): Promise<DeviceConfigRecord | undefined> {
    if (error === null) this.statements.reportOk.run({ deviceId, version, at });
    else this.statements.reportError.run({ deviceId, error, at });
    return this.get(deviceId);
  }

  async delete(deviceId: string): Promise<void> {
    this.statements.delete.run(deviceId);
  }
}
