import { headers, type Msg, type Subscription } from "@nats-io/transport-node";
import type pino from "pino";
import type { ClusterConnection } from "./nats-connection.js";

/** The header naming the instance that published a notice: its own notices come back to it, and are dropped. */
export const INSTANCE_HEADER = "Telehub-Instance";

/** What a notice carries: a `HubEvent`, or live readings and presence changes. */
export type NoticeKind = "event" | "live";

export interface ClusterNoticesOptions {
  /** Bytes of notices held for NATS while it is away; beyond them notices are dropped (`cluster.natsOfflineBufferBytes`). */
  maxOfflineBytes: number;
  /** Told of every notice dropped (a full offline buffer, a connection closed for good). */
  dropped?: (kind: NoticeKind) => void;
  log: pino.Logger;
}

/**
 * This instance's notices to the other instances, over core NATS (at most once: they are
 * notifications, the durable state is in PostgreSQL). `publish` never throws and never waits:
 * while NATS is away the client holds what is published and sends it on reconnection, up to
 * `maxOfflineBytes` (the client itself would hold without limit); past that, and on a connection
 * closed for good, notices are dropped and counted.
 */
export class ClusterNotices {
  /** Bytes published since the connection was last seen up. */
  private heldBytes = 0;
  private droppedSinceUp = 0;

  constructor(
    private readonly connection: ClusterConnection,
    private readonly options: ClusterNoticesOptions,
  ) {}

  /** The instance these notices come from. */
  get instanceId(): string {
    return this.connection.instanceId;
  }

  /** Publish `payload` on `subject` with this instance's name; false when it was dropped. */
  publish(subject: string, payload: Uint8Array, kind: NoticeKind): boolean {
    if (this.connection.isConnected()) {
      if (this.droppedSinceUp > 0) {
        this.options.log.warn(
          { dropped: this.droppedSinceUp },
          "NATS is back: notices to the other instances were dropped while it was away",
        );
        this.droppedSinceUp = 0;
      }
      this.heldBytes = 0;
    } else if (this.heldBytes + payload.byteLength > this.options.maxOfflineBytes) {
      return this.drop(kind);
    }
    try {
      const hdrs = headers();
      hdrs.set(INSTANCE_HEADER, this.connection.instanceId);
      this.connection.nats.publish(subject, payload, { headers: hdrs });
    } catch (error) {
      // Closed for good, or a payload over the server's max_payload.
      if (this.droppedSinceUp === 0)
        this.options.log.warn({ err: error, subject }, "a notice to the other instances could not be published");
      return this.drop(kind);
    }
    if (!this.connection.isConnected()) this.heldBytes += payload.byteLength;
    return true;
  }

  /**
   * Subscribe to `subject`, handing `receive` the notices of the other instances (this
   * instance's own come back to it and are skipped before they are decoded). The client sends the
   * subscription again after each reconnection.
   */
  subscribe(subject: string, receive: (msg: Msg) => void): Subscription {
    const { instanceId, nats } = this.connection;
    return nats.subscribe(subject, {
      callback: (error, msg) => {
        if (error) {
          this.options.log.error({ err: error, subject }, "NATS subscription failed");
          return;
        }
        if (msg.headers?.get(INSTANCE_HEADER) === instanceId) return;
        try {
          receive(msg);
        } catch (failure) {
          this.options.log.error({ err: failure, subject }, "a notice from another instance could not be handled");
        }
      },
    });
  }

  private drop(kind: NoticeKind): false {
    if (this.droppedSinceUp === 0)
      this.options.log.warn({ kind }, "NATS is away and the offline buffer is full: dropping notices to the other instances");
    this.droppedSinceUp += 1;
    this.options.dropped?.(kind);
    return false;
  }
}
