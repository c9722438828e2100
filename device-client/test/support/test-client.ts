import type { TestContext } from "node:test";
import { TelehubClient, type TelehubClientOptions } from "../../src/node/index.js";
/** A client against a scripted hub (WebSocket or HTTP peer) with fast test timings; closed (without flushing) when the test ends. */
export function testClient(t: TestContext, hub: { url: string }, options: Partial<TelehubClientOptions> = {}): TelehubClient {
  const client = new TelehubClient({
    url: hub.url,
    deviceId: "dev-1",
    token: "s3cret:token",
    batchIntervalMs: 30,
    backoff: { initialMs: 20, maxMs: 100, multiplier: 2 },
    random: () => 0.5,
    connectTimeoutMs: 2_000,
    ...options,
  });
  t.after(() => client.close({ flush: false }));
  return client;
}

/** Swallow a promise's rejection (tests that expect `connect()` to stay pending or be rejected by close). */
export function ignoreRejection(promise: Promise<unknown>): void {
  promise.catch(() => undefined);
}
