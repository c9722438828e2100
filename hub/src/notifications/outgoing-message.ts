import type { Alarm } from "../alarms/alarm.js";
import type { NotificationDelivery } from "../alarms/notification-channel.js";

/** What a sender hands to its channel: the stored delivery and the alarms it tells about (as they are now). */
export interface OutgoingMessage {
  delivery: NotificationDelivery;
  alarms: Alarm[];
}

/**
 * A failed attempt, in words for people (an SMTP reply, an HTTP status, a network error). The
 * sender throws it; the outbox records `message` with the attempt.
 */
export class SendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SendError";
  }
}

/** Why a `fetch` or socket failed, with its cause (`fetch failed: connect ECONNREFUSED …`). */
export function describeFailure(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return "no answer within notifications.timeoutMs";
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
}
