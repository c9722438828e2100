/**
 * The transport baseline: a bare `ws` server that only counts the binary frames it receives
 * (no decoding, no storage, no acks). Run as a child process by the benchmark (IPC): it sends
 * `{ port }` when listening and answers `"report"` with `{ frames, firstAt, lastAt }`.
 */
import { WebSocketServer } from "ws";

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 1 << 20 });
let frames = 0;
let firstAt = 0;
let lastAt = 0;
server.on("connection", (socket) => {
  socket.on("message", () => {
    if (frames === 0) firstAt = performance.now();
    frames++;
    lastAt = performance.now();
  });
});
server.on("listening", () => {
  const address = server.address();
  if (typeof address === "object" && address !== null) process.send?.({ port: address.port });
});
process.on("message", (message) => {
  if (message === "report") process.send?.({ frames, firstAt, lastAt });
  if (message === "stop") server.close(() => process.exit(0));
});
