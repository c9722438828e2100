import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/** A masked WebSocket text frame (client to server), for payloads under 126 bytes. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 126) throw new RangeError("maskedTextFrame: payload must be under 126 bytes");
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** A TCP connection to the hub that has sent `request` and read the head of the answer. */
async function requestOverSocket(port: number, request: string): Promise<{ socket: Socket; head: string }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve).once("error", reject);
  });
  socket.write(request);
  const head = await new Promise<string>((resolve, reject) => {
    socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1")));
    socket.once("error", reject);
  });
  return { socket, head };
}

/** Stop reading: the socket's readable side stays paused from here on. */
function stall(socket: Socket): Socket {
  socket.pause();
  socket.on("error", () => undefined);
  return socket;
}

/**
 * A dashboard that subscribes to the live channel (`/v1/live`) over a bare TCP socket and then
 * never reads again: the kernel's buffers fill and the hub's writes to it back up, as with a
 * browser tab on a stalled network.
 */
export async function openStalledLiveClient(port: number, apiKey: string, topics: readonly string[]): Promise<Socket> {
  const { socket, head } = await requestOverSocket(
    port,
    [
      "GET /v1/live HTTP/1.1",
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Protocol: telehub.live.v1",
      `Authorization: Bearer ${apiKey}`,
      "",
      "",
    ].join("\r\n"),
  );
  if (!head.startsWith("HTTP/1.1 101")) {
    socket.destroy();
    throw new Error(`the live upgrade was refused: ${head.split("\r\n")[0]}`);
  }
  socket.write(maskedTextFrame(JSON.stringify({ type: "subscribe", topics })));
  return stall(socket);
}

/** The same over Server-Sent Events (`GET /api/v1/live?topics=…`): the stream is opened, then never read. */
export async function openStalledSseClient(port: number, apiKey: string, topics: readonly string[]): Promise<Socket> {
  const { socket, head } = await requestOverSocket(
    port,
    [
      `GET /api/v1/live?topics=${encodeURIComponent(topics.join(","))} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Authorization: Bearer ${apiKey}`,
      "Accept: text/event-stream",
      "",
      "",
    ].join("\r\n"),
  );
  if (!head.startsWith("HTTP/1.1 200")) {
    socket.destroy();
    throw new Error(`the live stream was refused: ${head.split("\r\n")[0]}`);
  }
  return stall(socket);
}
