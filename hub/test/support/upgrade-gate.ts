import { createServer, request, type Server } from "node:http";
import { connect, type Socket } from "node:net";

/**
 * A minimal forwarding proxy on 127.0.0.1 (port 0) in front of a hub, for the Node client's
 * fallback tests: plain requests are forwarded as they are; WebSocket upgrades are answered
 * 502 without `X-Telehub-Error` (as a proxy that does not pass `Upgrade`) while `blocked`, and
 * tunnelled to the hub otherwise. (The nginx set-ups are the proxies; this one can open
 * and close the WebSocket path during a test.)
 */
export class UpgradeGate {
  /** Answer upgrades with a proxy's 502. */
  blocked = true;
  /** Upgrades seen, blocked or passed. */
  upgrades = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {
    server.on("connection", (socket) => this.track(socket));
    server.on("request", (req, res) => {
      const forwarded = request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on("error", () => res.destroy());
      res.on("close", () => forwarded.destroy());
      req.pipe(forwarded);
    });
    server.on("upgrade", (req, socket: Socket, head: Buffer) => {
      this.upgrades++;
      if (this.blocked) {
        socket.end("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Gateway");
        return;
      }
      const upstream = this.track(connect(Number(this.target.port), this.target.hostname));
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
  }

  /** Start in front of `hubUrl` (`http://127.0.0.1:PORT`). */
  static async start(hubUrl: string): Promise<UpgradeGate> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new UpgradeGate(server, new URL(hubUrl));
  }

  /** `http://127.0.0.1:PORT` of the proxy. */
  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    return socket;
  }
}
