import type { DataValue } from "@telehub/device-client/protocol";
import type { DesiredConfigStore, DeviceConfigRecord } from "../../desired-config/desired-config-store.js";
import type { SecretFields } from "../../security/secret-fields.js";
import { type ConfigRow, toRecord as configFromRow } from "../sqlite/sqlite-desired-config-store.js";
import type { PgDatabase } from "./pg-database.js";

/**
 * Desired configuration in PostgreSQL; the document's secret values are stored encrypted. Each
 * write is one statement, so writers on several instances each get their own next version.
 */
export class PgDesiredConfigStore implements DesiredConfigStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly secrets: SecretFields,
  ) {}

  async get(deviceId: string): Promise<DeviceConfigRecord | undefined> {
    return this.one("SELECT * FROM device_config WHERE device_id = $1", [deviceId]);
  }

  async set(deviceId: string, document: { [key: string]: DataValue }, at: number, by: string | null): Promise<DeviceConfigRecord> {
    return (await this.one(
      `INSERT INTO device_config (device_id, version, document, updated_at, updated_by) VALUES ($1, 1, $2, $3, $4)
       ON CONFLICT (device_id) DO UPDATE SET version = device_config.version + 1, document = excluded.document,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by
       RETURNING *`,
      [deviceId, JSON.stringify(this.secrets.seal(document)), at, by],
    )) as DeviceConfigRecord;
  }

  async report(deviceId: string, version: number, error: string | null, at: number): Promise<DeviceConfigRecord | undefined> {
    return error === null
      ? this.one(
          `UPDATE device_config SET reported_version = GREATEST(reported_version, $2), reported_at = $3, reported_error = NULL
           WHERE device_id = $1 RETURNING *`,
          [deviceId, version, at],
        )
      : this.one("UPDATE device_config SET reported_at = $2, reported_error = $3 WHERE device_id = $1 RETURNING *", [deviceId, at, error]);
  }

  async delete(deviceId: string): Promise<void> {
    await this.db.query("DELETE FROM device_config WHERE device_id = $1", [deviceId]);
  }

  private async one(sql: string, values: unknown[]): Promise<DeviceConfigRecord | undefined> {
    const row = (await this.db.query<ConfigRow>(sql, values)).rows[0];
    return row && configFromRow(row, this.secrets);
  }
}
