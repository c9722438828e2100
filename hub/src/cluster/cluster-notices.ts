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
  /** Notices dropped since the last one published. */
  private droppedInRow = 0;
  /** The same headers on every notice (the client encodes them on each publish and changes nothing). */
  private readonly headers = headers();

  constructor(
    private readonly connection: ClusterConnection,
    private readonly options: ClusterNoticesOptions,
  ) {
    this.headers.set(INSTANCE_HEADER, connection.instanceId);
  }

  /** The instance these notices come from. */
  get instanceId(): string {
    return this.connection.instanceId;
  }

  /** Publish `payload` on `subject` with this instance's name; false when it was dropped. */
  publish(subject: string, payload: Uint8Array, kind: NoticeKind): boolean {
    const connected = this.connection.isConnected();
    if (connected) this.heldBytes = 0;
    else if (this.heldBytes + payload.byteLength > this.options.maxOfflineBytes)
      return this.drop(kind, "NATS is away and cluster.natsOfflineBufferBytes are held");
    try {
      this.connection.nats.publish(subject, payload, { headers: this.headers });
    } catch (error) {
      // The connection closed for good, or a notice over the server's max_payload.
      return this.drop(kind, (error as Error).message);
    }
    if (!connected) this.heldBytes += payload.byteLength;
    else if (this.droppedInRow > 0) {
      this.options.log.info({ dropped: this.droppedInRow }, "notices to the other instances flow again");
      this.droppedInRow = 0;
    }
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

  /** Count a dropped notice; the first of a run is logged (the next one published says how many). */
  private drop(kind: NoticeKind, why: string): false {
    if (this.droppedInRow === 0) this.options.log.warn({ kind, why }, "dropping notices to the other instances");
    this.droppedInRow += 1;
    this.options.dropped?.(kind);
    return false;
  }
}
