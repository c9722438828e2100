import type { Msg, Subscription } from "@nats-io/transport-node";
import type pino from "pino";
import type { LiveFeed } from "../live/live-hub.js";
import type { StoredReading } from "../storage/telemetry-store.js";
import type { ClusterNames } from "./cluster-names.js";
import { type ClusterNotices, INSTANCE_HEADER } from "./cluster-notices.js";
import { deviceIdOfToken } from "./device-token.js";
import { decodeLiveNotice, encodePresence, encodeReadings } from "./live-notice-codec.js";

/**
 * The live feed of a cluster instance, between the gateway and the local feed (the
 * `ReadingFreshness` in front of the `LiveHub`): this instance's readings and presence changes
 * go to the local feed and to the other instances (`names.live(deviceId)`, CBOR, at most once);
 * theirs, from `names.liveAll`, go to the local feed, so that a dashboard on any instance sees
 * every device.
 *
 * Presence is "connected on some instance": while a device moves (it connects to B before A
 * notices its old session closed), the local feed hears `connected` once and not the old
 * instance's late `disconnected`. A `disconnected` for a device this instance knew nothing of
 * (it started after the device connected) is passed on: its dashboards may show it connected.
 */
export class ClusterLiveFeed implements LiveFeed {
  /** The instances each device is connected to, as far as this instance heard. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly subscription: Subscription;
  /** `<p>.live.`: what precedes the device token in a live subject. */
  private readonly subjectPrefix: string;

  constructor(
    private readonly local: LiveFeed,
    private readonly notices: ClusterNotices,
    private readonly names: ClusterNames,
    private readonly log: pino.Logger,
  ) {
    this.subjectPrefix = names.liveAll.slice(0, -1);
    this.subscription = notices.subscribe(names.liveAll, (msg) => this.received(msg));
  }

  publishReadings(deviceId: string, readings: readonly StoredReading[]): void {
    this.local.publishReadings(deviceId, readings);
    this.notices.publish(this.names.live(deviceId), encodeReadings(readings), "live");
  }

  presenceChanged(deviceId: string, connected: boolean, at: number): void {
    this.presenceOn(this.notices.instanceId, deviceId, connected, at);
    this.notices.publish(this.names.live(deviceId), encodePresence(connected, at), "live");
  }

  /**
   * `instanceId` is gone (its heartbeat expired, or it left): its devices are no longer
   * connected there; those connected nowhere else are told to the local feed as disconnected.
   */
  instanceLeft(instanceId: string, at: number): void {
    for (const [deviceId, instances] of this.holders) if (instances.has(instanceId)) this.presenceOn(instanceId, deviceId, false, at);
  }

  /** Stop receiving the other instances' news (before the connection closes). */
  close(): void {
    this.subscription.unsubscribe();
  }

  private received(msg: Msg): void {
    const deviceId = deviceIdOfToken(msg.subject.slice(this.subjectPrefix.length));
    const notice = decodeLiveNotice(msg.data);
    const from = msg.headers?.get(INSTANCE_HEADER) ?? "";
    if (notice === undefined) {
      this.log.warn({ subject: msg.subject, from }, "a live notice from another instance could not be read");
    } else if (notice.kind === "readings") {
      this.local.publishReadings(deviceId, notice.readings);
    } else this.presenceOn(from, deviceId, notice.connected, notice.at);
  }

  /** `deviceId` connected to or left `instanceId`; the local feed hears when that changes "connected anywhere". */
  private presenceOn(instanceId: string, deviceId: string, connected: boolean, at: number): void {
    const instances = this.holders.get(deviceId);
    const wasConnected = instances !== undefined;
    if (connected) {
      if (instances) instances.add(instanceId);
      else this.holders.set(deviceId, new Set([instanceId]));
      if (!wasConnected) this.local.presenceChanged(deviceId, true, at);
      return;
    }
    if (instances) {
      if (!instances.delete(instanceId)) return;
      if (instances.size > 0) return;
      this.holders.delete(deviceId);
    }
    // Connected nowhere now, or nothing was known of it here.
    this.local.presenceChanged(deviceId, false, at);
  }
}
