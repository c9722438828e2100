/*
 * Protocol rules both Espruino clients follow (the WebSocket one, `telehub-device.ts`, and the
 * deep-sleeping HTTP one, `sleepy-device.ts`).
 */

/** Refusals of a batch that are retried even without a `retry` field (§4.3); any other code with a `seq` and no `retry` is permanent (§4.4). */
export const RETRYABLE_REFUSALS = ["TH_RATE_LIMITED", "TH_IN_FLIGHT_EXCEEDED", "TH_STORE_UNAVAILABLE"];

/** An optional number, or its default (no default parameters on Espruino). */
export function option(value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : value;
}
