import type { DeliveryQuery } from "../storage/notification-repository.js";
import type { Actor } from "./alarm-api.js";
import type { ChannelDefinition, ChannelView, NotificationDelivery } from "./notification-channel.js";

/** What the HTTP API needs from notifications (implemented by the notification service). */
export interface NotificationApi {
  listChannels(page: { limit: number; offset: number }): Promise<{ items: ChannelView[]; total: number }>;
  getChannel(id: string): Promise<ChannelView | undefined>;
  /**
   * Checked with `validateChannel` (notifications/channel-schema.ts): rejects with ChannelInvalidError
   * (field, message) or ChannelLimitError (notifications/channel-errors.ts).
   */
  createChannel(definition: ChannelDefinition, actor: Actor): Promise<ChannelView>;
  /**
   * Secret settings left out of `definition.settings` are kept from the stored channel. Rejects with
   * ChannelInvalidError or ChannelVersionConflictError; undefined if none.
   */
  updateChannel(id: string, definition: ChannelDefinition, actor: Actor, expectedVersion?: number): Promise<ChannelView | undefined>;
  deleteChannel(id: string, actor: Actor): Promise<boolean>;
  /** Sends a test message now (not rate limited) and answers the delivery after its first attempt. Undefined if no channel. */
  sendTest(id: string, actor: Actor): Promise<NotificationDelivery | undefined>;
  listDeliveries(query: DeliveryQuery): Promise<{ items: NotificationDelivery[]; total: number }>;
  getDelivery(id: string): Promise<NotificationDelivery | undefined>;
}
