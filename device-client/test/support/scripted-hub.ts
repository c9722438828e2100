/**
 * A test peer that plays the hub's side of protocol v1 over a real `ws` server on
 * 127.0.0.1, port 0. Tests script it: refuse upgrades, welcome with a given seq, ack or
 * refuse batches, stay silent, close with a code. It is not the hub.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import {
  type BatchFrame,
  DEFAULT_LIMITS,
  decodeFrame,
  encodeFrame,
  type HelloFrame,
  type HubFrame,
  SUBPROTOCOL,
  toWireLimits,
  type WireLimits,
} from "../../src/protocol/index.js";
import { waitFor } from "./wait.js";

/** How the peer refuses an upgrade. */
export interface ScriptedRefusal {
  status: number;
  code: string;
  retryAfterS?: number;
}

/** What to do with a batch: `ack` (default: make it durable, ack cumulatively) or `ignore`. */
export type BatchAnswer = "ack" | "ignore";

export interface ScriptedHubOptions {
  /** Refuse the n-th upgrade (0-based) when this returns a refusal. */
  refuse?: (attempt: number) => ScriptedRefusal | undefined;
  /** Answer hello with welcome automatically. Default true. */
  autoWelcome?: boolean;
  /** welcome.hb in ms. Default 60,000 (the peer sends no pings unless `pingEveryMs`). */
  hb?: number;
  /** Overrides of welcome.lim. */
  lim?: Partial<WireLimits>;
  /** Hub clock = device clock + this. Default 0. */
  clockAheadMs?: number;
  /** Send WebSocket pings this often. Default: never. */
  pingEveryMs?: number;
  /** Decide per batch. Default: ack. */
  onBatch?: (batch: BatchFrame, session: PeerSession) => BatchAnswer;
}

/** One device connection as the peer sees it. */
export class PeerSession {
  readonly frames: Array<{ t: string } & Record<string, unknown>> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly request: { url: string; headers: IncomingHttpHeaders; protocol: string },
    private readonly hub: ScriptedHub,
  ) {
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("message", (data) => this.onMessage(data as Buffer));
    ws.on("close", () => clearInterval(this.pinger));
    if (hub.options.pingEveryMs) this.pinger = setInterval(() => ws.ping(), hub.options.pingEveryMs);
  }

  get hello(): HelloFrame | undefined {
    return this.frames.find((f) => f.t === "hello") as HelloFrame | undefined;
  }

  get batches(): BatchFrame[] {
    return this.frames.filter((f) => f.t === "batch") as unknown as BatchFrame[];
  }

  send(frame: HubFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(frame), { binary: true });
  }

  welcome(overrides: { seq?: number; time?: number } = {}): void {
    const hello = this.hello;
    this.send({
      t: "welcome",
      v: 1,
      time: overrides.time ?? Date.now() + (this.hub.options.clockAheadMs ?? 0),
      ...(hello?.time !== undefined && { echo: hello.time }),
      seq: overrides.seq ?? this.hub.durableSeq,
      hb: this.hub.options.hb ?? 60_000,
      lim: { ...toWireLimits(DEFAULT_LIMITS), ...this.hub.options.lim },
    });
  }

  /** Make batches ≤ seq durable and ack cumulatively. */
  ack(seq: number): void {
    if (seq > this.hub.durableSeq) this.hub.durableSeq = seq;
    this.send({ t: "ack", seq: this.hub.durableSeq });
  }

  /** Wait until `count` batches arrived on this session. */
  async waitForBatches(count: number, timeoutMs = 3_000): Promise<BatchFrame[]> {
    await waitFor(() => this.batches.length >= count, timeoutMs, `${count} batches on the session`);
    return this.batches;
  }

  /** Stop pinging (a silent, dead-looking hub). */
  stopPings(): void {
    clearInterval(this.pinger);
  }

  close(code: number, reason = ""): void {
    this.ws.close(code, reason);
  }

  private onMessage(data: Buffer): void {
    const frame = decodeFrame(data);
    this.frames.push(frame);
    if (frame.t === "hello" && this.hub.options.autoWelcome !== false) this.welcome();
    if (frame.t === "batch") {
      const batch = frame as unknown as BatchFrame;
      this.hub.batches.push(batch);
      const answer = this.hub.options.onBatch?.(batch, this) ?? "ack";
      if (answer === "ack") this.ack(batch.seq);
    }
  }
}

export class ScriptedHub {
  /** Highest batch seq the peer holds "durably" (welcome.seq). */
  durableSeq = 0;
  /** Every batch received, all sessions, in arrival order. */
  readonly batches: BatchFrame[] = [];
  readonly sessions: PeerSession[] = [];
  /** Every upgrade request (accepted or refused). */
  readonly upgrades: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (p) => (p.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  private readonly sockets = new Set<Duplex>();

  private constructor(
    private readonly server: Server,
    readonly options: ScriptedHubOptions,
  ) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("upgrade", (req, socket, head) => {
      const attempt = this.upgrades.length;
      this.upgrades.push({ url: req.url ?? "", headers: req.headers });
      const refusal = options.refuse?.(attempt);
      if (refusal) {
        const body = JSON.stringify({ error: { code: refusal.code, message: "scripted refusal" } });
        const headers = [`HTTP/1.1 ${refusal.status} Refused`, "Connection: close", "Content-Type: application/json"];
        headers.push(`Content-Length: ${Buffer.byteLength(body)}`, `X-Telehub-Error: ${refusal.code}`);
        if (refusal.retryAfterS !== undefined) headers.push(`Retry-After: ${refusal.retryAfterS}`);
        socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new PeerSession(ws, { url: req.url ?? "", headers: req.headers, protocol: ws.protocol }, this);
        this.sessions.push(session);
      });
    });
  }

  static async start(options: ScriptedHubOptions = {}): Promise<ScriptedHub> {
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new ScriptedHub(server, options);
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return `ws://127.0.0.1:${address.port}`;
  }

  /** The n-th session (0-based), once it exists. */
  async session(index: number, timeoutMs = 3_000): Promise<PeerSession> {
    await waitFor(() => this.sessions.length > index, timeoutMs, `session #${index}`);
    return this.sessions[index]!;
  }

  /** The n-th session once its hello arrived. */
  async greeted(index: number, timeoutMs = 3_000): Promise<PeerSession> {
    const session = await this.session(index, timeoutMs);
    await waitFor(() => session.hello !== undefined, timeoutMs, `hello on session #${index}`);
    return session;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) {
      session.stopPings();
      session.ws.terminate();
    }
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
