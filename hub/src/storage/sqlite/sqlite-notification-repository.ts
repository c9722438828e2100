import type { DataValue } from "@telehub/device-client/protocol";
import type Database from "better-sqlite3";
import {
  type ChannelDefinition,
  type ChannelKind,
  type DeliveryAttempt,
  type DeliveryKind,
  type DeliveryStatus,
  type NotificationChannel,
  type NotificationDelivery,
  type NotifyOn,
  SECRET_SETTINGS,
} from "../../alarms/notification-channel.js";
import type { SecretFields } from "../../security/secret-fields.js";
import { generateId } from "../../security/secrets.js";
import { ChannelVersionConflictError, type DeliveryQuery, type NotificationRepository } from "../notification-repository.js";
import { FilteredPages } from "./filtered-pages.js";
import { definitionOnly } from "./stored-definition.js";
import { UnsyncedTransactions } from "./unsynced-transaction.js";

/** A row of `notification_channels` (meta.db and PostgreSQL alike). */
export interface ChannelRow {
  id: string;
  definition: string;
  version: number;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
}

/** A row of `notification_deliveries` (meta.db and PostgreSQL alike). */
export interface DeliveryRow {
  id: string;
  channel_id: string;
  kind: DeliveryKind;
  alarm_ids: string;
  event: NotifyOn | null;
  summary: string;
  body: string;
  status: DeliveryStatus;
  created_at: number;
  next_attempt_at: number | null;
  attempts: string;
}

type Settings = Record<string, unknown>;

/** The delivery a row holds. */
export function toDelivery(row: DeliveryRow): NotificationDelivery {
  return {
    id: row.id,
    channelId: row.channel_id,
    kind: row.kind,
    alarmIds: JSON.parse(row.alarm_ids) as string[],
    event: row.event,
    summary: row.summary,
    body: row.body,
    status: row.status,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    attempts: JSON.parse(row.attempts) as DeliveryAttempt[],
  };
}

/**
 * A channel's definition as stored: each secret setting of its kind sealed whole; a stored
 * channel's own fields left out, should a whole channel be passed. What is given is stored:
 * keeping a secret an update leaves out is the caller's merge.
 */
export function storedChannel(definition: ChannelDefinition, secrets: SecretFields): string {
  const rest = definitionOnly(definition);
  const settings: Settings = { ...rest.settings };
  for (const key of SECRET_SETTINGS[rest.kind]) {
    const value = settings[key];
    if (value !== undefined) settings[key] = secrets.sealValue(value as DataValue);
  }
  return JSON.stringify({ ...rest, settings });
}

/** The channel a row holds, its secret settings opened. */
export function toChannel(row: ChannelRow, secrets: SecretFields): NotificationChannel {
  const definition = JSON.parse(row.definition) as ChannelDefinition;
  const settings: Settings = { ...definition.settings };
  for (const key of SECRET_SETTINGS[definition.kind as ChannelKind]) {
    const value = settings[key];
    if (value !== undefined) settings[key] = secrets.openValue(value as DataValue);
  }
  return {
    ...definition,
    settings: settings as unknown as ChannelDefinition["settings"],
    id: row.id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** What a pending delivery of a deleted channel records as its last attempt. */
export const CHANNEL_DELETED = "channel deleted";

/**
 * Notification channels and the outbox of deliveries in the embedded metadata database. The
 * secret settings of a channel ({@link SECRET_SETTINGS} of its kind) are encrypted whole with the
 * secrets key, whatever `security.secretKeyPattern` says; the rest of its definition stays plain.
 */
export class SqliteNotificationRepository implements NotificationRepository {
  private readonly statements;
  private readonly unsynced: UnsyncedTransactions;
  private readonly deliveryPages: FilteredPages<DeliveryRow>;

  /** `now` stamps the attempt that says a pending delivery's channel was deleted. */
  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretFields,
    private readonly now: () => number = Date.now,
  ) {
    this.deliveryPages = new FilteredPages(db, "notification_deliveries", "created_at DESC, rowid DESC");
    this.unsynced = new UnsyncedTransactions(db);
    this.statements = {
      channelPage: db.prepare("SELECT * FROM notification_channels ORDER BY name, id LIMIT ? OFFSET ?"),
      channelCount: db.prepare("SELECT COUNT(*) FROM notification_channels").pluck(),
      allChannels: db.prepare("SELECT * FROM notification_channels ORDER BY name, id"),
      getChannel: db.prepare("SELECT * FROM notification_channels WHERE id = ?"),
      insertChannel: db.prepare(
        `INSERT INTO notification_channels (id, name, kind, definition, version, created_at, updated_at, updated_by)
         VALUES (@id, @name, @kind, @definition, 1, @at, @at, @by)`,
      ),
      updateChannel: db.prepare(
        `UPDATE notification_channels SET name = @name, kind = @kind, definition = @definition, version = version + 1,
           updated_at = @at, updated_by = @by WHERE id = @id`,
      ),
      deleteChannel: db.prepare("DELETE FROM notification_channels WHERE id = ?"),
      pendingOfChannel: db.prepare("SELECT * FROM notification_deliveries WHERE channel_id = ? AND status = 'pending'"),
      deleteMarks: db.prepare("DELETE FROM notification_marks WHERE channel_id = ?"),

      insertDelivery: db.prepare(
        `INSERT INTO notification_deliveries (id, channel_id, kind, alarm_ids, event, summary, body, status, created_at, next_attempt_at, attempts)
         VALUES (@id, @channelId, @kind, @alarmIds, @event, @summary, @body, @status, @createdAt, @nextAttemptAt, '[]')`,
      ),
      insertDeliveryAlarm: db.prepare("INSERT OR IGNORE INTO notification_delivery_alarms (alarm_id, delivery_id) VALUES (?, ?)"),
      getDelivery: db.prepare("SELECT * FROM notification_deliveries WHERE id = ?"),
      updateDelivery: db.prepare(
        "UPDATE notification_deliveries SET attempts = @attempts, status = @status, next_attempt_at = @nextAttemptAt WHERE id = @id",
      ),
      pending: db.prepare("SELECT * FROM notification_deliveries WHERE status = 'pending' ORDER BY created_at, rowid"),
      countByStatus: db.prepare("SELECT status, COUNT(*) AS count FROM notification_deliveries GROUP BY status"),

      lastNotified: db.prepare("SELECT last_notified_at FROM notification_marks WHERE channel_id = ? AND alarm_id = ?").pluck(),
      setLastNotified: db.prepare(
        `INSERT INTO notification_marks (channel_id, alarm_id, last_notified_at) VALUES (?, ?, ?)
         ON CONFLICT (channel_id, alarm_id) DO UPDATE SET last_notified_at = excluded.last_notified_at`,
      ),
    };
  }

  async listChannels(page: { limit: number; offset: number }): Promise<{ items: NotificationChannel[]; total: number }> {
    const rows = this.statements.channelPage.all(page.limit, page.offset) as ChannelRow[];
    return { items: rows.map((row) => toChannel(row, this.secrets)), total: this.statements.channelCount.get() as number };
  }

  async allChannels(): Promise<NotificationChannel[]> {
    return (this.statements.allChannels.all() as ChannelRow[]).map((row) => toChannel(row, this.secrets));
  }

  async getChannel(id: string): Promise<NotificationChannel | undefined> {
    const row = this.statements.getChannel.get(id) as ChannelRow | undefined;
    return row && toChannel(row, this.secrets);
  }

  async createChannel(definition: ChannelDefinition, at: number, by: string | null): Promise<NotificationChannel> {
    const id = `ch_${generateId()}`;
    const stored = storedChannel(definition, this.secrets);
    this.statements.insertChannel.run({ id, name: definition.name, kind: definition.kind, definition: stored, at, by });
    return (await this.getChannel(id)) as NotificationChannel;
  }

  async updateChannel(
    id: string,
    definition: ChannelDefinition,
    at: number,
    by: string | null,
    expectedVersion?: number,
  ): Promise<NotificationChannel | undefined> {
    const row = this.db.transaction(() => {
      const current = this.statements.getChannel.get(id) as ChannelRow | undefined;
      if (!current) return undefined;
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new ChannelVersionConflictError(id, expectedVersion, current.version);
      }
      const stored = storedChannel(definition, this.secrets);
      this.statements.updateChannel.run({ id, name: definition.name, kind: definition.kind, definition: stored, at, by });
      return this.statements.getChannel.get(id) as ChannelRow;
    })();
    return row && toChannel(row, this.secrets);
  }

  /**
   * Its pending deliveries become `failed` with a last attempt (ok false, duration 0) whose error
   * is "channel deleted", so the delivery list says why; its reminder marks go.
   */
  async deleteChannel(id: string): Promise<boolean> {
    const at = this.now();
    return this.db.transaction(() => {
      for (const row of this.statements.pendingOfChannel.all(id) as DeliveryRow[]) {
        const attempts = JSON.parse(row.attempts) as DeliveryAttempt[];
        attempts.push({ at, ok: false, durationMs: 0, error: CHANNEL_DELETED });
        this.statements.updateDelivery.run({ id: row.id, attempts: JSON.stringify(attempts), status: "failed", nextAttemptAt: null });
      }
      this.statements.deleteMarks.run(id);
      return this.statements.deleteChannel.run(id).changes > 0;
    })();
  }

  async addDelivery(delivery: Omit<NotificationDelivery, "attempts">): Promise<NotificationDelivery> {
    this.db.transaction(() => {
      this.statements.insertDelivery.run({ ...delivery, alarmIds: JSON.stringify(delivery.alarmIds) });
      for (const alarmId of delivery.alarmIds) this.statements.insertDeliveryAlarm.run(alarmId, delivery.id);
    })();
    return { ...delivery, alarmIds: [...delivery.alarmIds], attempts: [] };
  }

  async recordAttempt(
    id: string,
    attempt: DeliveryAttempt,
    status: DeliveryStatus,
    nextAttemptAt: number | null,
  ): Promise<NotificationDelivery | undefined> {
    const row = this.db.transaction(() => {
      const current = this.statements.getDelivery.get(id) as DeliveryRow | undefined;
      if (!current) return undefined;
      const attempts = JSON.parse(current.attempts) as DeliveryAttempt[];
      attempts.push(attempt);
      const updated = { ...current, attempts: JSON.stringify(attempts), status, next_attempt_at: nextAttemptAt };
      this.statements.updateDelivery.run({ id, attempts: updated.attempts, status, nextAttemptAt });
      return updated;
    })();
    return row && toDelivery(row);
  }

  async getDelivery(id: string): Promise<NotificationDelivery | undefined> {
    const row = this.statements.getDelivery.get(id) as DeliveryRow | undefined;
    return row && toDelivery(row);
  }

  async pendingDeliveries(): Promise<NotificationDelivery[]> {
    return (this.statements.pending.all() as DeliveryRow[]).map(toDelivery);
  }

  async listDeliveries(query: DeliveryQuery): Promise<{ items: NotificationDelivery[]; total: number }> {
    const { rows, total } = this.deliveryPages.page(
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
    return this.statements.lastNotified.get(channelId, alarmId) as number | undefined;
  }

  /** Not synced on its own (a digest marks every alarm it names): a power cut can cost a reminder's timing, nothing else. */
  async setLastNotified(channelId: string, alarmId: string, at: number): Promise<void> {
    this.unsynced.run(() => this.statements.setLastNotified.run(channelId, alarmId, at));
  }

  async countByStatus(): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const row of this.statements.countByStatus.all() as { status: DeliveryStatus; count: number }[]) counts[row.status] = row.count;
    return counts;
  }
}
