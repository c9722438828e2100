import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type pino from "pino";
import { WebSocket, WebSocketServer } from "ws";
import { type Caller, liveOwnersOf } from "../accounts/caller.js";
import { refuseUpgrade } from "../gateway/upgrade-refusal.js";
import { type ApiAuthenticator, AuthenticationError } from "../http/authentication.js";
import type { LiveHub } from "./live-hub.js";
import type { LiveSubscriber } from "./live-subscriber.js";
import { TOPIC_PATTERN } from "./live-update.js";

/** Subprotocol of the live channel. */
export const LIVE_SUBPROTOCOL = "telehub.live.v1";
/** Path of the live channel's WebSocket. */
export const LIVE_PATH = "/v1/live";

const HEARTBEAT_MS = 30_000;

/** A browser cannot set headers on a WebSocket: it may offer its key as the subprotocol `bearer.<key>` instead. */
function offeredKey(req: IncomingMessage): string | undefined {
  const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => p.startsWith("bearer."))?.slice(7);
}

/**
 * Whether a cookie-authenticated upgrade comes from the hub's own pages: browsers send the cookie
 * with a WebSocket opened by any site, so the `Origin` must name the host the request went to
 * (cross-site WebSocket hijacking).
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

type ClientMessage = { type: "subscribe" | "unsubscribe"; topics: string[] };

function parseMessage(data: string): ClientMessage | string {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return "not JSON";
  }
  const { type, topics } = (message ?? {}) as { type?: unknown; topics?: unknown };
  if (type !== "subscribe" && type !== "unsubscribe") return 'type must be "subscribe" or "unsubscribe"';
  if (!Array.isArray(topics) || topics.length > 1_000 || !topics.every((t) => typeof t === "string" && TOPIC_PATTERN.test(t))) {
    return "topics must be a list of telemetry:*, telemetry:<device>, commands:*, commands:<device>, presence:*, config:*, config:<device>, alarms:* or alarms:<device>";
  }
  return { type, topics };
}

/**
 * The dashboard's live channel over WebSocket (`/v1/live`, subprotocol `telehub.live.v1`):
 * authenticated like the API (any role: a key, or the session cookie from the hub's own origin), JSON text messages. The client subscribes to topics;
 * the hub sends one `update` per flush interval with what changed.
 */
export class LiveSocketServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(LIVE_SUBPROTOCOL) ? LIVE_SUBPROTOCOL : false),
  });
  /** Open sockets, each with whether it answered the last ping. */
  private readonly sockets = new Map<WebSocket, { alive: boolean }>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly live: LiveHub,
    private readonly authenticator: ApiAuthenticator,
    private readonly log: pino.Logger,
  ) {
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let caller: Caller;
    try {
      // Counted with the API's failures: the live channel is no side door for guessing keys.
      caller = await this.authenticator.authenticate(req, offeredKey(req));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      if (error.status === 429) return refuseUpgrade(socket, 429, "TH_API_THROTTLED", error.message, Math.ceil(error.retryAfterMs / 1000));
      return refuseUpgrade(
        socket,
        401,
        "TH_API_UNAUTHORIZED",
        "send an API key (Authorization: Bearer <key>, or the subprotocol bearer.<key>), or log in",
      );
    }
    if (caller.session && !sameOrigin(req))
      return refuseUpgrade(
        socket,
        403,
        "TH_API_FORBIDDEN",
        "a live connection with the session cookie must come from the hub's own pages (Origin)",
      );
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    if (!offered.includes(LIVE_SUBPROTOCOL))
      return refuseUpgrade(socket, 400, "TH_API_VALIDATION", `offer the WebSocket subprotocol ${LIVE_SUBPROTOCOL}`);
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, liveOwnersOf(caller)));
  }

  /** Stop accepting and pinging; the open connections are ended by `LiveHub.close()` through their sinks. */
  close(): void {
    clearInterval(this.heartbeat);
    this.wss.close();
  }

  /** @param owners who the connection counts against (`live.maxSubscribersPerCaller`): `key:<id>`, `user:<id>`. */
  private open(ws: WebSocket, owners: readonly string[]): void {
    const subscriber = this.live.attach(
      {
        bufferedBytes: () => ws.bufferedAmount,
        // The message's bytes, shared with every connection that gets it: ws frames them as they are.
        send: (message) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(message.bytes, { binary: false });
        },
        // A revoked key: 1008 (policy violation). A stalled socket is cut at once: it would not take a close frame.
        close: (code) => {
          if (ws.bufferedAmount > 0) ws.terminate();
          else if (code === "TH_HUB_STOPPING") ws.close(1001, "hub stopping");
          else ws.close(1008, code);
        },
      },
      owners,
    );
    if (typeof subscriber === "string") {
      ws.close(1013, subscriber === "hub-full" ? "TH_API_LIVE_FULL" : "TH_API_LIVE_CALLER_FULL");
      return;
    }
    const health = { alive: true };
    this.sockets.set(ws, health);
    ws.on("pong", () => {
      health.alive = true;
    });
    ws.on("message", (data, isBinary) => this.onMessage(ws, subscriber, isBinary ? "" : data.toString()));
    ws.on("close", () => {
      this.sockets.delete(ws);
      this.live.detach(subscriber);
    });
    ws.on("error", (error) => this.log.debug({ err: error, owners }, "live socket error"));
  }

  private onMessage(ws: WebSocket, subscriber: LiveSubscriber, data: string): void {
    const message = parseMessage(data);
    if (typeof message === "string") {
      ws.send(JSON.stringify({ type: "error", code: "TH_LIVE_BAD_MESSAGE", message }));
      return;
    }
    if (message.type === "subscribe") subscriber.subscribe(message.topics);
    else subscriber.unsubscribe(message.topics);
    ws.send(JSON.stringify({ type: "subscribed", topics: subscriber.subscribedTopics() }));
  }

  private ping(): void {
    for (const [ws, health] of this.sockets) {
      if (!health.alive) {
        ws.terminate();
        continue;
      }
      health.alive = false;
      ws.ping();
    }
  }
}
