import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link HttpReceiver} got. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on loopback whose answers the test decides (status and body per request). */
export interface HttpReceiver {
  /** `http://127.0.0.1:PORT` (add a path). */
  base: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** `answer` picks the status and body of each request (default 200 "ok"). */
export async function startHttpReceiver(
  answer: (request: ReceivedRequest, index: number) => { status: number; body?: string } = () => ({ status: 200 }),
): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const entry = { path: request.url ?? "", headers: request.headers, body };
      received.push(entry);
      const { status, body: text } = answer(entry, received.length - 1);
      response.writeHead(status, { "content-type": "text/plain" }).end(text ?? "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
