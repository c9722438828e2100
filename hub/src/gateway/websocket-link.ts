import { closeCodeOf, encodeFrame, type HubFrame, type ProtocolErrorCode, type WelcomeFrame } from "@telehub/device-client/protocol";
import type pino from "pino";
import { WebSocket } from "ws";
import type { DeviceLink, LinkListener } from "./device-link.js";

/** `ws.send` options of every frame to a device; one object, not one per frame. */
const BINARY = { binary: true } as const;
/** How long a peer closed for not answering pings has to answer the close frame: it is likely gone (docs/protocol.md §5). */
const HEARTBEAT_CLOSE_MS = 1_000;
/** No transport fields in a WebSocket welcome. */
const NO_FIELDS: Partial<WelcomeFrame> = {};

/** A device session over a WebSocket (docs/protocol.md §1): frames are binary messages; errors of kind `close` close it. */
export class WebSocketLink implements DeviceLink {
  readonly transport = "ws";

  constructor(
    readonly ws: WebSocket,
    /** `gateway.closeTimeoutMs`: a peer that does not answer the close frame within it is cut off. */
    private readonly closeTimeoutMs: number,
    private readonly log: pino.Logger,
    /** Counts a frame refused for `maxPayload`. */
    private readonly oversize: () => void,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  attach(listener: LinkListener): void {
    const { ws } = this;
    answerOversizeWithCode(ws, this.oversize);
    ws.on("message", (data, isBinary) => void listener.receive(data as Buffer, isBinary));
    ws.on("pong", () => listener.markAlive());
    ws.on("close", (code, reason) => listener.linkClosed(code, reason.toString()));
    ws.on("error", (error) => this.log.debug({ err: error }, "device socket error"));
  }

  send(frame: HubFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeFrame(frame), BINARY);
  }

  /** Close with the catalogue code's close code and the code as the reason; a peer that never answers the close handshake is cut off. */
  close(code: ProtocolErrorCode): void {
    this.ws.close(closeCodeOf(code) ?? 1011, code);
    setTimeout(
      () => this.ws.terminate(),
      code === "TH_HEARTBEAT_TIMEOUT" ? Math.min(HEARTBEAT_CLOSE_MS, this.closeTimeoutMs) : this.closeTimeoutMs,
    ).unref();
  }

  welcomeFields(): Partial<WelcomeFrame> {
    return NO_FIELDS;
  }

  ping(): void {
    this.ws.ping();
  }
}

/**
 * ws closes a socket whose frame exceeds `maxPayload` with 1009 and no reason; docs/protocol.md
 * §7 promises the code as the reason. ws's receiver calls the socket's own `close`, so that is
 * where the reason is added.
 */
function answerOversizeWithCode(ws: WebSocket, counted: () => void): void {
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string | Buffer) => {
    if (code !== 1009 || reason !== undefined) return close(code, reason);
    counted();
    close(code, "TH_FRAME_TOO_LARGE");
  };
}
