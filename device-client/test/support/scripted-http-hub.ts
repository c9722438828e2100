/**
 * A test peer for the HTTP transport (docs/protocol.md §10) on 127.0.0.1, port 0, whose upgrade
 * answers play a proxy or the hub: a status with or without `X-Telehub-Error`, a reset, a hang.
 * Its `POST /v1/device` plays the hub's HTTP side: welcome with a sid, cumulative acks, held
 * long polls answered by `push`. It is not the hub.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import {
  CBOR_SEQUENCE_TYPE,
  DEFAULT_LIMITS,
  type DecodedFrame,
  decodeFrame,
  encodeFrame,
  type HubFrame,
  joinCborSequence,
  SUBPROTOCOL,
  splitCborSequence,
  toWireLimits,
  type WelcomeFrame,
} from "../../src/protocol/index.js";
import { waitFor } from "./wait.js";

/** How the peer answers a WebSocket upgrade. */
export type UpgradeAnswer =
  | { status: number; telehubCode?: string; retryAfterS?: number }
  /** Cut the connection with a TCP reset before answering. */
  | "reset"
  /** Close the connection before answering. */
  | "close"
  /** Never answer. */
  | "hang"
  /**
   * A WebSocket session: its hello replaces the HTTP session (a held poll is answered 409 at
   * once) and is welcomed `welcomeDelayMs` later; its batches are acknowledged.
   */
  | "accept";

/** One POST as the peer saw it. */
export interface PostedRequest {
  sid: string | null;
  wait: number;
  frames: DecodedFrame[];
  headers: IncomingHttpHeaders;
  url: string;
}

interface HeldPoll {
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

interface PeerSession {
  sid: string;
  outbox: HubFrame[];
  held: HeldPoll | undefined;
}

export class ScriptedHttpHub {
  /** Highest batch seq acknowledged (welcome.seq). */
  durableSeq = 0;
  readonly upgrades: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  readonly posts: PostedRequest[] = [];
  /** Frames posted by the device, all requests, in order. */
  readonly frames: DecodedFrame[] = [];
  /** Answer a request of this sid with 404 `TH_SESSION_UNKNOWN` or 409 `TH_SESSION_REPLACED`. */
  readonly refusedSids = new Map<string, 404 | 409>();
  /** When set, a hello is answered with these frames (200) and starts no session. */
  helloAnswer: HubFrame[] | undefined;
  /** How long an accepted WebSocket's welcome waits after its hello (see `UpgradeAnswer` "accept"). */
  welcomeDelayMs = 0;
  /** HTTP requests answered 409 `TH_SESSION_REPLACED`. */
  replacedAnswers = 0;
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (p) => (p.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sessions = new Map<string, PeerSession>();
  private readonly sockets = new Set<Socket>();
  private current: PeerSession | undefined;

  private constructor(
    private readonly server: Server,
    private readonly upgradeAnswer: (attempt: number) => UpgradeAnswer,
  ) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
  }

  static async start(upgradeAnswer: (attempt: number) => UpgradeAnswer = () => ({ status: 502 })): Promise<ScriptedHttpHub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new ScriptedHttpHub(server, upgradeAnswer);
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return `ws://127.0.0.1:${address.port}`;
  }

  /** The sid of the newest session. */
  get sid(): string | undefined {
    return this.current?.sid;
  }

  get hellos(): DecodedFrame[] {
    return this.frames.filter((f) => f.t === "hello");
  }

  /** Frames of type `t` the device posted. */
  posted(t: string): DecodedFrame[] {
    return this.frames.filter((f) => f.t === t);
  }

  /** Queue a frame for the device (answers its held poll at once). */
  push(frame: HubFrame): void {
    const session = this.current;
    if (!session) throw new Error("no session");
    session.outbox.push(frame);
    if (session.held) this.answerHeld(session);
  }

  /** Forget every session, as a restarted hub does (their sids get 404 `TH_SESSION_UNKNOWN`). */
  forgetSessions(): void {
    for (const session of this.sessions.values()) {
      this.refusedSids.set(session.sid, 404);
      if (session.held) {
        clearTimeout(session.held.timer);
        refuse(session.held.res, 404, "TH_SESSION_UNKNOWN");
      }
    }
    this.sessions.clear();
    this.current = undefined;
  }

  /** Drop every open connection (a proxy cutting requests, held polls included). */
  cutConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async waitForPosted(t: string, count: number, timeoutMs = 3_000): Promise<DecodedFrame[]> {
    await waitFor(() => this.posted(t).length >= count, timeoutMs, `${count} ${t} frames posted`);
    return this.posted(t);
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) if (session.held) clearTimeout(session.held.timer);
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const answer = this.upgradeAnswer(this.upgrades.length);
    this.upgrades.push({ url: req.url ?? "", headers: req.headers });
    if (answer === "hang") return;
    if (answer === "accept") {
      this.wss.handleUpgrade(req, socket, head, (ws) => ws.on("message", (data) => this.onSocketFrame(ws, decodeFrame(data as Buffer))));
      return;
    }
    if (answer === "reset") {
      socket.resetAndDestroy();
      return;
    }
    if (answer === "close") {
      socket.destroy();
      return;
    }
    const body = answer.telehubCode ? JSON.stringify({ error: { code: answer.telehubCode, message: "scripted" } }) : "<html>proxy</html>";
    const lines = [`HTTP/1.1 ${answer.status} Scripted`, "Connection: close", `Content-Length: ${Buffer.byteLength(body)}`];
    if (answer.telehubCode) lines.push(`X-Telehub-Error: ${answer.telehubCode}`);
    if (answer.retryAfterS !== undefined) lines.push(`Retry-After: ${answer.retryAfterS}`);
    socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  }

  private onSocketFrame(ws: WebSocket, frame: DecodedFrame): void {
    this.frames.push(frame);
    const send = (answer: HubFrame) => ws.send(encodeFrame(answer), { binary: true });
    if (frame.t === "hello") {
      this.replaceCurrent();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send(this.welcome(frame, undefined));
      }, this.welcomeDelayMs);
      this.timers.add(timer);
    } else if (frame.t === "batch") {
      this.durableSeq = Math.max(this.durableSeq, frame.seq as number);
      send({ t: "ack", seq: this.durableSeq });
    }
  }

  /** A new session of the device: the HTTP one is replaced (its held poll and later requests get 409). */
  private replaceCurrent(): void {
    if (this.current?.held) this.answerHeld(this.current, 409);
    if (this.current) this.refusedSids.set(this.current.sid, 409);
    this.current = undefined;
  }

  private welcome(hello: DecodedFrame, sid: string | undefined): WelcomeFrame {
    return {
      t: "welcome",
      v: 1,
      time: Date.now(),
      ...(typeof hello.time === "number" && { echo: hello.time }),
      seq: this.durableSeq,
      hb: 60_000,
      lim: toWireLimits(DEFAULT_LIMITS),
      ...(sid !== undefined && { sid, ivl: 60_000, wait: 30_000 }),
    };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://peer");
    const frames = splitCborSequence(Buffer.concat(chunks)).map((item) => decodeFrame(item));
    const sid = url.searchParams.get("sid");
    const wait = Number(url.searchParams.get("wait") ?? 0);
    this.posts.push({ sid, wait, frames, headers: req.headers, url: req.url ?? "" });
    this.frames.push(...frames);
    if (req.method !== "POST" || req.headers["content-type"] !== CBOR_SEQUENCE_TYPE) return refuse(res, 400, "TH_HTTP_REQUEST_INVALID");
    let session: PeerSession | undefined;
    const answers: HubFrame[] = [];
    if (frames[0]?.t === "hello" && this.helloAnswer) return reply(res, this.helloAnswer);
    if (frames[0]?.t === "hello") {
      this.replaceCurrent();
      session = { sid: randomUUID(), outbox: [], held: undefined };
      this.sessions.set(session.sid, session);
      this.current = session;
      answers.push(this.welcome(frames[0], session.sid));
    } else {
      const refused = sid === null ? undefined : this.refusedSids.get(sid);
      if (refused === 409) this.replacedAnswers++;
      if (refused) return refuse(res, refused, refused === 404 ? "TH_SESSION_UNKNOWN" : "TH_SESSION_REPLACED");
      session = sid === null ? undefined : this.sessions.get(sid);
      if (!session) return refuse(res, 404, "TH_SESSION_UNKNOWN");
    }
    if (session.held) this.answerHeld(session);
    for (const frame of frames) {
      if (frame.t === "batch") {
        this.durableSeq = Math.max(this.durableSeq, frame.seq as number);
        answers.push({ t: "ack", seq: this.durableSeq });
      } else if (frame.t === "cmd_result") answers.push({ t: "cmd_done", id: frame.id as string });
    }
    answers.push(...session.outbox.splice(0));
    if (answers.length > 0 || wait <= 0) return reply(res, answers);
    const held: HeldPoll = { res, timer: setTimeout(() => this.answerHeld(session), wait) };
    session.held = held;
    res.on("close", () => {
      clearTimeout(held.timer);
      if (session.held === held) session.held = undefined;
    });
  }

  private answerHeld(session: PeerSession, status?: 409): void {
    const held = session.held;
    if (!held) return;
    session.held = undefined;
    clearTimeout(held.timer);
    if (status) this.replacedAnswers++;
    if (status) refuse(held.res, status, "TH_SESSION_REPLACED");
    else reply(held.res, session.outbox.splice(0));
  }
}

function reply(res: ServerResponse, frames: HubFrame[]): void {
  res.writeHead(200, { "Content-Type": CBOR_SEQUENCE_TYPE, "Cache-Control": "no-store" });
  res.end(joinCborSequence(frames.map((frame) => encodeFrame(frame))));
}

function refuse(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "X-Telehub-Error": code });
  res.end(JSON.stringify({ error: { code, message: "scripted" } }));
}
