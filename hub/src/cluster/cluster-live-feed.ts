import type { Msg, Subscription } from "@nats-io/transport-node";
import type pino from "pino";
import type { LiveFeed, LiveInterest } from "../live/live-hub.js";
import type { StoredReading } from "../storage/telemetry-store.js";
import type { ClusterNames } from "./cluster-names.js";
import { type ClusterNotices, INSTANCE_HEADER } from "./cluster-notices.js";
import { deviceIdOfToken } from "./device-token.js";
import { decodeLiveNotice, encodePresence, encodeReadings } from "./live-notice-codec.js";

/** How often an instance tells the others its devices' newest reading times. */
export const NEWEST_INTERVAL_MS = 1_000;

/** Devices in one message of newest reading times (a NATS message stays far below its 1 MiB limit). */
const NEWEST_PER_MESSAGE = 5_000;

/**
 * The live feed of a cluster instance, between the gateway and the local feed (the
 * `ReadingFreshness` in front of the `LiveHub`): this instance's readings and presence changes
 * go to the local feed and to the other instances (CBOR, at most once), so that a dashboard on
 * any instance sees every device.
 *
 * - Readings (`names.liveReadings`) reach this instance only while a dashboard is connected here
 *   (`interest`): an instance nobody watches does not spend a core receiving every reading of the
 *   cluster. What it needs of them, each device's newest reading time (stale devices), comes once
 *   a second from every instance (`names.liveNewest`, JSON).
 * - Presence (`names.livePresence`) always: "connected on some instance". While a device moves (it
 *   connects to B before A notices its old session closed), the local feed hears `connected` once
 *   and not the old instance's late `disconnected`. A `disconnected` for a device this instance
 *   knew nothing of (it started after the device connected) is passed on: its dashboards may show
 *   it connected.
 */
export class ClusterLiveFeed implements LiveFeed {
  /** The instances each device is connected to, as far as this instance heard. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly presence: Subscription;
  private readonly newest: Subscription;
  /** Subscribed while a dashboard watches here. */
  private readings: Subscription | undefined;
  private readonly stopWatching: () => void;
  /** This instance's devices' newest reading times since they were last told. */
  private readonly unsent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly local: LiveFeed,
    interest: LiveInterest,
    private readonly notices: ClusterNotices,
    private readonly names: ClusterNames,
    private readonly log: pino.Logger,
  ) {
    this.presence = notices.subscribe(names.livePresenceAll, (msg) => this.received(msg, names.livePresenceAll));
    this.newest = notices.subscribe(names.liveNewest, (msg) => this.receivedNewest(msg));
    this.watch(interest.watched);
    this.stopWatching = interest.onWatchedChange((watched) => this.watch(watched));
    this.timer = setInterval(() => this.tellNewest(), NEWEST_INTERVAL_MS);
    this.timer.unref();
  }

  publishReadings(deviceId: string, readings: readonly StoredReading[]): void {
    this.local.publishReadings(deviceId, readings);
    this.notices.publish(this.names.liveReadings(deviceId), encodeReadings(readings), "live");
    let newest = this.unsent.get(deviceId) ?? Number.NEGATIVE_INFINITY;
    for (const reading of readings) if (reading.ts > newest) newest = reading.ts;
    this.unsent.set(deviceId, newest);
  }

  presenceChanged(deviceId: string, connected: boolean, at: number): void {
    this.presenceOn(this.notices.instanceId, deviceId, connected, at);
    this.notices.publish(this.names.livePresence(deviceId), encodePresence(connected, at), "live");
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
    clearInterval(this.timer);
    this.stopWatching();
    this.presence.unsubscribe();
    this.newest.unsubscribe();
    this.watch(false);
  }

  private watch(watched: boolean): void {
    if (watched && this.readings === undefined) {
      const subject = this.names.liveReadingsAll;
      this.readings = this.notices.subscribe(subject, (msg) => this.received(msg, subject));
    } else if (!watched && this.readings !== undefined) {
      this.readings.unsubscribe();
      this.readings = undefined;
    }
  }

  private tellNewest(): void {
    if (this.unsent.size === 0) return;
    const entries = [...this.unsent];
    this.unsent.clear();
    for (let i = 0; i < entries.length; i += NEWEST_PER_MESSAGE) {
      const payload = this.encoder.encode(JSON.stringify(entries.slice(i, i + NEWEST_PER_MESSAGE)));
      this.notices.publish(this.names.liveNewest, payload, "live");
    }
  }

  private receivedNewest(msg: Msg): void {
    let entries: unknown;
    try {
      entries = msg.json();
    } catch {
      entries = undefined;
    }
    if (!Array.isArray(entries)) {
      this.log.warn(
        { subject: msg.subject, from: msg.headers?.get(INSTANCE_HEADER) ?? "" },
        "newest reading times from another instance could not be read",
      );
      return;
    }
    for (const entry of entries) {
      if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "number")
        this.local.newestElsewhere?.(entry[0], entry[1]);
    }
  }

  private received(msg: Msg, wildcard: string): void {
    const deviceId = deviceIdOfToken(msg.subject.slice(wildcard.length - 1));
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
