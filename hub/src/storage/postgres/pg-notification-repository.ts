import type {
  ChannelDefinition,
  DeliveryAttempt,
  DeliveryStatus,
  NotificationChannel,
  NotificationDelivery,
} from "../../alarms/notification-channel.js";
import type { SecretFields } from "../../security/secret-fields.js";
import { generateId } from "../../security/secrets.js";
import { ChannelVersionConflictError, type DeliveryQuery, type NotificationRepository } from "../notification-repository.js";
import {
  CHANNEL_DELETED,
  type ChannelRow,
  type DeliveryRow,
  storedChannel,
  toChannel,
  toDelivery,
} from "../sqlite/sqlite-notification-repository.js";
import type { PgDatabase, PgQueryable } from "./pg-database.js";
import { PgFilteredPages } from "./pg-filtered-pages.js";
import { unsyncedTransaction } from "./pg-unsynced.js";

/**
 * Notification channels and the outbox of deliveries in PostgreSQL. The secret settings of a
 * channel are encrypted whole with the secrets key, as in meta.db. A change to a channel or a
 * delivery locks its row: versions and attempts hold against writers on other instances.
 */
export class PgNotificationRepository implements NotificationRepository {
  private readonly deliveryPages: PgFilteredPages<DeliveryRow>;

  /** `now` stamps the attempt that says a pending delivery's channel was deleted. */
  constructor(
    private readonly db: PgDatabase,
    private readonly secrets: SecretFields,
    private readonly now: () => number = Date.now,
  ) {
    this.deliveryPages = new PgFilteredPages(db, "notification_deliveries", "created_at DESC, seq DESC");
  }

  async listChannels(page: { limit: number; offset: number }): Promise<{ items: NotificationChannel[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db.query<ChannelRow>("SELECT * FROM notification_channels ORDER BY name, id LIMIT $1 OFFSET $2", [page.limit, page.offset]),
      this.db.query<{ total: number }>("SELECT COUNT(*) AS total FROM notification_channels"),
    ]);
    return { items: rows.rows.map((row) => toChannel(row, this.secrets)), total: count.rows[0]?.total ?? 0 };
  }

  async allChannels(): Promise<NotificationChannel[]> {
    const { rows } = await this.db.query<ChannelRow>("SELECT * FROM notification_channels ORDER BY name, id");
    return rows.map((row) => toChannel(row, this.secrets));
  }

  async getChannel(id: string): Promise<NotificationChannel | undefined> {
    const row = (await this.db.query<ChannelRow>("SELECT * FROM notification_channels WHERE id = $1", [id])).rows[0];
    return row && toChannel(row, this.secrets);
  }

  async createChannel(definition: ChannelDefinition, at: number, by: string | null): Promise<NotificationChannel> {
    const { rows } = await this.db.query<ChannelRow>(
      `INSERT INTO notification_channels (id, name, kind, definition, version, created_at, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, 1, $5, $5, $6) RETURNING *`,
      [`ch_${generateId()}`, definition.name, definition.kind, storedChannel(definition, this.secrets), at, by],
    );
    return toChannel(rows[0] as ChannelRow, this.secrets);
  }

  async updateChannel(
    id: string,
    definition: ChannelDefinition,
    at: number,
    by: string | null,
    expectedVersion?: number,
  ): Promise<NotificationChannel | undefined> {
    const row = await this.db.transaction(async (tx) => {
      const current = (await tx.query<ChannelRow>("SELECT * FROM notification_channels WHERE id = $1 FOR UPDATE", [id])).rows[0];
      if (!current) return undefined;
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new ChannelVersionConflictError(id, expectedVersion, current.version);
      }
      const { rows } = await tx.query<ChannelRow>(
        `UPDATE notification_channels SET name = $2, kind = $3, definition = $4, version = version + 1, updated_at = $5, updated_by = $6
         WHERE id = $1 RETURNING *`,
        [id, definition.name, definition.kind, storedChannel(definition, this.secrets), at, by],
      );
      return rows[0];
    });
    return row && toChannel(row, this.secrets);
  }

  /**
   * Its pending deliveries become `failed` with a last attempt (ok false, duration 0) whose error
   * is "channel deleted", so the delivery list says why; its reminder marks go.
   */
  async deleteChannel(id: string): Promise<boolean> {
    const at = this.now();
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<DeliveryRow>(
        "SELECT * FROM notification_deliveries WHERE channel_id = $1 AND status = 'pending' FOR UPDATE",
        [id],
      );
      for (const row of rows) {
        const attempts = JSON.parse(row.attempts) as DeliveryAttempt[];
        attempts.push({ at, ok: false, durationMs: 0, error: CHANNEL_DELETED });
        await updateDelivery(tx, row.id, JSON.stringify(attempts), "failed", null);
      }
      await tx.query("DELETE FROM notification_marks WHERE channel_id = $1", [id]);
      return (await tx.query("DELETE FROM notification_channels WHERE id = $1", [id])).rowCount > 0;
    });
  }

  async addDelivery(delivery: Omit<NotificationDelivery, "attempts">): Promise<NotificationDelivery> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO notification_deliveries (id, channel_id, kind, alarm_ids, event, summary, body, status, created_at, next_attempt_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '[]')`,
        [
          delivery.id,
          delivery.channelId,
          delivery.kind,
          JSON.stringify(delivery.alarmIds),
          delivery.event,
          delivery.summary,
          delivery.body,
          delivery.status,
          delivery.createdAt,
          delivery.nextAttemptAt,
        ],
      );
      if (delivery.alarmIds.length > 0) {
        await tx.query(
          `INSERT INTO notification_delivery_alarms (alarm_id, delivery_id)
           SELECT alarm_id, $2 FROM unnest($1::text[]) AS alarm_id ON CONFLICT DO NOTHING`,
          [delivery.alarmIds, delivery.id],
        );
      }
    });
    return { ...delivery, alarmIds: [...delivery.alarmIds], attempts: [] };
  }

  async recordAttempt(
    id: string,
    attempt: DeliveryAttempt,
    status: DeliveryStatus,
    nextAttemptAt: number | null,
  ): Promise<NotificationDelivery | undefined> {
    const row = await this.db.transaction(async (tx) => {
      const current = (await tx.query<DeliveryRow>("SELECT * FROM notification_deliveries WHERE id = $1 FOR UPDATE", [id])).rows[0];
      if (!current) return undefined;
      const attempts = JSON.parse(current.attempts) as DeliveryAttempt[];
      attempts.push(attempt);
      const updated = { ...current, attempts: JSON.stringify(attempts), status, next_attempt_at: nextAttemptAt };
      await updateDelivery(tx, id, updated.attempts, status, nextAttemptAt);
      return updated;
    });
    return row && toDelivery(row);
  }

  async getDelivery(id: string): Promise<NotificationDelivery | undefined> {
    const row = (await this.db.query<DeliveryRow>("SELECT * FROM notification_deliveries WHERE id = $1", [id])).rows[0];
    return row && toDelivery(row);
  }

  async pendingDeliveries(): Promise<NotificationDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      "SELECT * FROM notification_deliveries WHERE status = 'pending' ORDER BY created_at, seq",
    );
    return rows.map(toDelivery);
  }

  async listDeliveries(query: DeliveryQuery): Promise<{ items: NotificationDelivery[]; total: number }> {
    const { rows, total } = await this.deliveryPages.page(
      [
        ["channel_id = ?", query.channelId],
        ["id IN (SELECT delivery_id FROM notification_delivery_alarms WHERE alarm_id = ?)", query.alarmId],
        ["status = ?", query.status],
      ],
      query.limit,
      query.offset,
    );
    return { items: rows.map(toDelivery), total };
  }

  async lastNotified(channelId: string, alarmId: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ last_notified_at: number }>(
      "SELECT last_notified_at FROM notification_marks WHERE channel_id = $1 AND alarm_id = $2",
      [channelId, alarmId],
    );
    return rows[0]?.last_notified_at;
  }

  /** Not synced on its own (a digest marks every alarm it names): a crash of the server can cost a reminder's timing, nothing else. */
  async setLastNotified(channelId: string, alarmId: string, at: number): Promise<void> {
    await unsyncedTransaction(this.db, (tx) =>
      tx.query(
        `INSERT INTO notification_marks (channel_id, alarm_id, last_notified_at) VALUES ($1, $2, $3)
         ON CONFLICT (channel_id, alarm_id) DO UPDATE SET last_notified_at = excluded.last_notified_at`,
        [channelId, alarmId, at],
      ),
    );
  }

  async countByStatus(): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    const { rows } = await this.db.query<{ status: DeliveryStatus; count: number }>(
      "SELECT status, COUNT(*) AS count FROM notification_deliveries GROUP BY status",
    );
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }
}

function updateDelivery(
  tx: PgQueryable,
  id: string,
  attempts: string,
  status: DeliveryStatus,
  nextAttemptAt: number | null,
): Promise<unknown> {
  return tx.query("UPDATE notification_deliveries SET attempts = $2, status = $3, next_attempt_at = $4 WHERE id = $1", [
    id,
    attempts,
    status,
    nextAttemptAt,
  ]);
}
