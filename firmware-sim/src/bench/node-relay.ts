/**
 * The Node floor of the live scenario: the least a Node.js hub could do on the live path, run as
 * a child process by the benchmark with the hub's V8 flags. Devices' batch frames (plain
 * WebSockets, no authentication, no hello) are decoded, acknowledged at once and forwarded as
 * the hub's `update` message to every live subscriber (`/v1/live`, `telehub.live.v1`). Nothing
 * is stored, validated, rate-limited or counted. It sends `{ port }` when listening and stops on
 * `"stop"`.
 */
import { createServer } from "node:http";
import { decodeFrame, encodeFrame } from "@telehub/device-client/protocol";
import { type WebSocket, WebSocketServer } from "ws";

const LIVE_SUBPROTOCOL = "telehub.live.v1";
const server = createServer();
const devices = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
const live = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(LIVE_SUBPROTOCOL) ? LIVE_SUBPROTOCOL : false),
});
const subscribers = new Set<WebSocket>();

function relay(deviceId: string, data: Buffer): Uint8Array {
  const frame = decodeFrame(data) as unknown as { seq: number; r: { ts: number; m: Record<string, unknown> }[] };
  const telemetry = frame.r.flatMap((reading) =>
    Object.entries(reading.m).map(([metric, value]) => ({ deviceId, metric, ts: reading.ts, value })),
  );
  const update = JSON.stringify({ type: "update", telemetry, commands: [], presence: [], config: [], dropped: 0 });
  for (const subscriber of subscribers) subscriber.send(update);
  return encodeFrame({ t: "ack", seq: frame.seq });
}

server.on("upgrade", (req, socket, head) => {
  const path = req.url ?? "/";
  if (path.startsWith("/v1/live")) {
    live.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", () => {
        subscribers.add(ws);
        ws.send(JSON.stringify({ type: "subscribed", topics: ["telemetry:*"] }));
      });
      ws.on("close", () => subscribers.delete(ws));
    });
    return;
  }
  const deviceId = decodeURIComponent(path.slice(1));
  devices.handleUpgrade(req, socket, head, (ws) => {
    ws.on("message", (data: Buffer) => ws.send(relay(deviceId, data), { binary: true }));
  });
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (typeof address === "object" && address !== null) process.send?.({ port: address.port });
});
process.on("message", (message) => {
  if (message !== "stop") return;
  for (const subscriber of subscribers) subscriber.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
