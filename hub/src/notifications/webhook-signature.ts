import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a delivery's timestamp may be from the receiver's clock, either way, in the verification recipe: 5 minutes. */
export const WEBHOOK_TOLERANCE_S = 300;

/**
 * `X-Telehub-Signature` of a delivery: `v1=` and the hex HMAC-SHA256, with the shared secret, of
 * `<timestamp>.<delivery id>.<raw body>` (`timestamp` in Unix seconds, as sent in `X-Telehub-Timestamp`).
 */
export function signWebhook(secret: string, timestamp: string, deliveryId: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${deliveryId}.${body}`).digest("hex")}`;
}

/** What {@link verifyWebhook} found: process only `ok`; answer `replayed` with a 2xx and do nothing (the hub retries a delivery whose answer it lost). */
export type WebhookVerdict = "ok" | "invalid" | "stale" | "replayed";

/**
 * What a receiver does with a delivery before trusting it: the recipe in docs/api.md ("Verifying
 * a delivery"), the same logic as its Node.js snippet (a test runs both). Checks the headers are
 * there, the timestamp is within {@link WEBHOOK_TOLERANCE_S} of `nowS`, the signature in constant
 * time, and that the delivery id was not seen within the window (`seen`: delivery id → timestamp,
 * kept by the caller across deliveries; entries older than the window are dropped here).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  seen: Map<string, number>,
  nowS: number = Math.floor(Date.now() / 1000),
): WebhookVerdict {
  const id = headers["x-telehub-delivery"];
  const timestamp = headers["x-telehub-timestamp"];
  const signature = headers["x-telehub-signature"];
  if (typeof id !== "string" || typeof signature !== "string" || typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp))
    return "invalid";
  if (Math.abs(nowS - Number(timestamp)) > WEBHOOK_TOLERANCE_S) return "stale";
  const expected = Buffer.from(`v1=${createHmac("sha256", secret).update(`${timestamp}.${id}.${rawBody}`).digest("hex")}`);
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
  for (const [seenId, at] of seen) if (nowS - at > WEBHOOK_TOLERANCE_S) seen.delete(seenId);
  if (seen.has(id)) return "replayed";
  seen.set(id, Number(timestamp));
  return "ok";
}
