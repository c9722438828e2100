import type {
  ChannelDefinition,
  DeliveryAttempt,
  DeliveryStatus,
  NotificationChannel,
  NotificationDelivery,
} from "../alarms/notification-channel.js";

export interface DeliveryQuery {
  channelId?: string;
  alarmId?: string;
  status?: DeliveryStatus;
  limit: number;
  offset: number;
}

/**
 * Notification channels (secret settings sealed at rest) and the outbox of deliveries with their
 * attempts. Async so that a server database can implement it. All pass
 * `test/contracts/notification-repository.contract.ts`.
 */
export interface NotificationRepository {
  /** Sorted by name, then id. */
  listChannels(page: { limit: number; offset: number }): Promise<{ items: NotificationChannel[]; total: number }>;
  allChannels(): Promise<NotificationChannel[]>;
  getChannel(id: string): Promise<NotificationChannel | undefined>;
  createChannel(definition: ChannelDefinition, at: number, by: string | null): Promise<NotificationChannel>;
  /** Rejects with {@link ChannelVersionConflictError} on a stale `expectedVersion`; undefined if none. */
  updateChannel(
    id: string,
    definition: ChannelDefinition,
    at: number,
    by: string | null,
    expectedVersion?: number,
  ): Promise<NotificationChannel | undefined>;
  /** Deletes the channel; its pending deliveries are marked failed ("channel deleted"), history kept. */
  deleteChannel(id: string): Promise<boolean>;

  addDelivery(delivery: Omit<NotificationDelivery, "attempts">): Promise<NotificationDelivery>;
  /** Appends an attempt and sets status and nextAttemptAt. Undefined if none. */
  recordAttempt(
    id: string,
    attempt: DeliveryAttempt,
    status: DeliveryStatus,
    nextAttemptAt: number | null,
  ): Promise<NotificationDelivery | undefined>;
  getDelivery(id: string): Promise<NotificationDelivery | undefined>;
  /** Pending deliveries, oldest first (what to send or retry after a restart). */
  pendingDeliveries(): Promise<NotificationDelivery[]>;
  /** Newest first. */
  listDeliveries(query: DeliveryQuery): Promise<{ items: NotificationDelivery[]; total: number }>;
  /**
   * Reminder bookkeeping: when `channelId` last told about `alarmId` (any delivery). Used for the
   * repeat interval; survives restarts.
   */
  lastNotified(channelId: string, alarmId: string): Promise<number | undefined>;
  setLastNotified(channelId: string, alarmId: string, at: number): Promise<void>;
  /** Deliveries by status over all time (for /metrics at start). */
  countByStatus(): Promise<Record<DeliveryStatus, number>>;
}

export class ChannelVersionConflictError extends Error {
  constructor(
    readonly channelId: string,
    readonly expected: number,
    readonly current: number,
  ) {
    super(`channel ${channelId} is at version ${current}, not ${expected}: it changed since it was read`);
    this.name = "ChannelVersionConflictError";
  }
}
