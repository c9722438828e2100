import { TelehubClient, type TelehubClientOptions } from "@telehub/device-client";

/** Reconnection backoff short enough for tests that break connections on purpose. */
export const FAST_BACKOFF = { initialMs: 50, maxMs: 400 };

/** A running load: every client sends one reading (two values) per tick until stopped. */
export interface Stream {
  stop(): void;
  /** Readings handed to the clients so far. */
  sent(): number;
}

/** Clients that each send one reading `{ v, c }` every `everyMs` until stopped; timestamps are distinct per tick. */
export function stream(clients: readonly TelehubClient[], everyMs: number, baseTs = 1_700_000_000_000): Stream {
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (const [c, client] of clients.entries()) client.send({ v: tick, c }, baseTs + tick * 10);
  }, everyMs);
  return { stop: () => clearInterval(timer), sent: () => tick * clients.length };
}

/** Readings the hub has acknowledged to all the clients together. */
export const acked = (clients: readonly TelehubClient[]): number => clients.reduce((sum, c) => sum + c.stats.ackedReadings, 0);

/** `count` connected clients `PREFIX1…PREFIXcount`, with the tokens `tokenOf` gives. */
export async function connectFleet(
  url: string,
  prefix: string,
  count: number,
  tokenOf: (deviceId: string) => Promise<string>,
  options: Partial<TelehubClientOptions> = {},
): Promise<TelehubClient[]> {
  const clients: TelehubClient[] = [];
  for (let d = 1; d <= count; d++) {
    const deviceId = `${prefix}${d}`;
    const token = await tokenOf(deviceId);
    clients.push(new TelehubClient({ url, deviceId, token, maxBatchReadings: 20, batchIntervalMs: 20, backoff: FAST_BACKOFF, ...options }));
  }
  await Promise.all(clients.map((c) => c.connect()));
  return clients;
}

/** Close every client without waiting for acks (a test's cleanup). */
export async function closeFleet(clients: readonly TelehubClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close({ flush: false })));
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
