import { createHmac, timingSafeEqual } from "node:crypto";

/** `X-Telehub-Signature` of a webhook body: `sha256=` and the hex HMAC-SHA256 of the raw body with the shared secret. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Check a received webhook's signature (what a receiver does), in constant time. */
export function verifyWebhookSignature(secret: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhookBody(secret, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
