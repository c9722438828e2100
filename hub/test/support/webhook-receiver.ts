import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP server on loopback that answers every webhook delivery 204 and keeps its body. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT/hook` */
  url: string;
  /** The bodies delivered so far, in order. */
  bodies: string[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      bodies.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
