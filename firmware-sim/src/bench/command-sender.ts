import { percentile } from "./percentiles.js";

/** Commands sent through the API and how each went. */
export interface SentCommands {
  /** Per counted command: from the API call to its answer in the `succeeded` state (or whatever state it ended in), ms. */
  apiMs: number[];
  /** When each command's API call started (`performance.now()`), by its `args.n`. */
  startedAt: Map<number, number>;
  /** Counted commands that ended `succeeded`. */
  succeeded: number;
}

/** p50, p99 and max of a set of latencies, ms. */
export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** {@link Percentiles} of `samples`. */
export function percentilesOf(samples: readonly number[]): Percentiles {
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), maxMs: percentile(samples, 100) };
}

/**
 * Send `commands` `ping` commands (`args.n` numbering them from `firstN`), `concurrency` at a
 * time, each to a random one of `deviceIds`, with `POST /api/v1/devices/:id/commands?wait=5000`:
 * the API answers when the command reaches a final state, so one call covers API → command store
 * → device → handler → result → final state visible through the API.
 */
export async function sendPingCommands(
  hub: { url: string; adminKey: string },
  deviceIds: readonly string[],
  commands: number,
  concurrency: number,
  firstN = 0,
): Promise<SentCommands> {
  const sent: SentCommands = { apiMs: [], startedAt: new Map(), succeeded: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < commands) {
      const n = firstN + next++;
      const deviceId = deviceIds[Math.floor(Math.random() * deviceIds.length)] as string;
      const started = performance.now();
      sent.startedAt.set(n, started);
      const response = await fetch(`${hub.url}/api/v1/devices/${encodeURIComponent(deviceId)}/commands?wait=5000`, {
        method: "POST",
        headers: { authorization: `Bearer ${hub.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "ping", args: { n } }),
      });
      const command = (await response.json()) as { state?: string };
      sent.apiMs.push(performance.now() - started);
      if (command.state === "succeeded") sent.succeeded++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent;
}

/** From each command's API call to the device having it in hand, for the commands in `startedAt` that arrived. */
export function deliveryLatencies(sent: SentCommands, receivedAt: ReadonlyMap<number, number>): number[] {
  const latencies: number[] = [];
  for (const [n, started] of sent.startedAt) {
    const received = receivedAt.get(n);
    if (received !== undefined) latencies.push(received - started);
  }
  return latencies;
}
