import type { EventEmitter } from "node:events";
import type { CheckedHubFrame, DeviceFrame, HelloFrame, WelcomeFrame } from "../protocol/index.js";
import type { UpgradeRefusal } from "./upgrade-refusal.js";

/** How the client reaches the hub: a WebSocket, or HTTP requests with long polling (docs/protocol.md §10). */
export type Transport = "ws" | "http";

/** What a session attempt needs, whatever the transport. */
export interface SessionSettings {
  /** Extra headers of the upgrade or of every request (the `Authorization` header in header mode). */
  headers: Record<string, string>;
  /** Limit for the `welcome` (WebSocket: the upgrade included). */
  connectTimeoutMs: number;
  /** Added to `2 × welcome.hb` before a silent hub is declared dead. */
  heartbeatGraceMs: number;
  /** The `hello` fields besides `t`, `v` and `time`. */
  hello: Omit<HelloFrame, "t" | "v" | "time">;
  now: () => number;
}

/** A session reached `welcome`. */
export interface SessionStart {
  welcome: WelcomeFrame;
  /** Device clock when the hello was sent. */
  helloSentAt: number;
  /** Device clock when the welcome arrived. */
  receivedAt: number;
}

/** How a connection ended: the close code and reason, or the refused request. */
export interface ConnectionEnd {
  code: number;
  reason: string;
  /** The upgrade (WebSocket) or request (HTTP) answered with an HTTP error status. */
  refusal?: UpgradeRefusal;
  /** The socket error behind a drop (ECONNREFUSED, TLS failure, …). */
  cause?: Error;
  /** WebSocket only: the hub (or something on the way) answered the upgrade with `101`. */
  upgraded?: boolean;
  /** WebSocket only: the attempt gave up waiting for the `101` or the `welcome` (`connectTimeoutMs`). */
  timedOut?: boolean;
}

export type ConnectionEvents = {
  welcome: [SessionStart];
  frame: [Exclude<CheckedHubFrame, WelcomeFrame>];
  end: [ConnectionEnd];
};

/**
 * One session attempt with the hub, whatever carries it: sends `hello`, reports `welcome`, hands
 * the hub's later frames up, and emits `end` exactly once. `TelehubClient` drives a
 * `HubConnection` (WebSocket) or an `HttpConnection` through this.
 */
export interface DeviceConnection extends EventEmitter<ConnectionEvents> {
  readonly transport: Transport;
  /** True between `welcome` and the end. */
  readonly open: boolean;
  /** Send a frame if the session is open (dropped otherwise: the client recovers on the next welcome). */
  send(frame: DeviceFrame): void;
  /** End the session; resolves once `end` was emitted. */
  close(code?: number, reason?: string, graceMs?: number): Promise<void>;
  /** End at once, reporting `code` and `reason`. */
  abort(code: number, reason: string): void;
}
