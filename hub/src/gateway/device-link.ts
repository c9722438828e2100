import type { DecodedFrame, HelloFrame, HubFrame, ProtocolErrorCode, WelcomeFrame } from "@telehub/device-client/protocol";

/** The transports a device session can run over (docs/protocol.md §1 and §10). */
export type DeviceTransport = "ws" | "http";

/** What a link tells its session: frames that arrived, signs of life, and its end. */
export interface LinkListener {
  /** One frame's bytes arrived (`binary`: false for a WebSocket text message). Resolves once the frame is handled. */
  receive(data: Uint8Array, binary: boolean): Promise<void>;
  /** The device answered a ping. */
  markAlive(): void;
  /** The link is gone (closed, dropped or expired); `code` is the WebSocket close code, or the catalogue code's. */
  linkClosed(code: number, reason: string): void;
}

/**
 * How a {@link DeviceSession} reaches its device: a WebSocket, or the HTTP transport's requests.
 * The session logic (handlers, rate buckets, in-flight limit, resume rule, hello timeout,
 * credential expiry) is the same over both; only this differs.
 */
export interface DeviceLink {
  readonly transport: DeviceTransport;
  /** Whether a frame sent now can still reach the device (the socket is open, the session has not ended). */
  readonly open: boolean;
  /** Start telling `listener` what arrives. Called once, by the session. */
  attach(listener: LinkListener): void;
  /** Send one frame to the device (dropped when the link is not open). */
  send(frame: HubFrame): void;
  /**
   * End the session with a catalogue code: a WebSocket closes with the code's close code; the HTTP
   * transport answers with an `error` frame. `linkClosed` follows (at once, or when the peer answers).
   */
  close(code: ProtocolErrorCode, message: string): void;
  /** The transport's own fields of the `welcome` (HTTP: `sid`, `ivl`, `wait`). */
  welcomeFields(hello: HelloFrame): Partial<WelcomeFrame>;
  /** A decoded frame from the device, before it is handled (the HTTP transport stops resending what it acknowledges). */
  noteReceived?(frame: DecodedFrame): void;
  /** Ping the device (links with heartbeats, docs/protocol.md §5); links without have none and are not in the heartbeat schedule. */
  ping?(): void;
}
