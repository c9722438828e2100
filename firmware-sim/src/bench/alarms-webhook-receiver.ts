import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One notification the receiver got. */
export interface ReceivedNotification {
  /** `performance.now()` on arrival. */
  at: number;
  /** `alarm.notification`, `alarm.digest`, … */
  type: string;
  /** Alarms it tells about (the body's `alarms`). */
  alarms: number;
}

/** A local HTTP server standing for a notification channel's webhook: answers 200 to every POST and records it. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedNotification[];
  /** Resolves with the first notification of `type` (at once if one came); rejects after `timeoutMs`. */
  first(type: string, timeoutMs: number): Promise<ReceivedNotification>;
  close(): Promise<void>;
}

/** Start a receiver on a free loopback port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedNotification[] = [];
  const waiting = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { type: string; alarms?: unknown[] };
      received.push({ at, type: body.type, alarms: body.alarms?.length ?? 0 });
      for (const wake of waiting) wake();
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    first(type, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = received.find((n) => n.type === type);
          if (!found) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no ${type} within ${timeoutMs} ms (${received.length} notifications received)`));
        }, timeoutMs);
        waiting.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
