import type { DevicePresence } from "../gateway/device-presence.js";
import type { LiveFeed } from "../live/live-hub.js";
import type { StoredReading } from "../storage/telemetry-store.js";

/**
 * The newest reading of each connected device since it connected, noted on its way to the live
 * channel (it sees every accepted reading): what tells a stale device from a fresh one without
 * a store query per device. A connection starts the count afresh, so the hub's restart loses
 * nothing it needs.
 */
export class ReadingFreshness implements LiveFeed {
  private readonly newest = new Map<string, number>();

  constructor(private readonly feed: LiveFeed) {}

  publishReadings(deviceId: string, readings: readonly StoredReading[]): void {
    let newest = this.newest.get(deviceId) ?? Number.NEGATIVE_INFINITY;
    for (const reading of readings) if (reading.ts > newest) newest = reading.ts;
    this.newest.set(deviceId, newest);
    this.feed.publishReadings(deviceId, readings);
  }

  newestElsewhere(deviceId: string, ts: number): void {
    if (ts > (this.newest.get(deviceId) ?? Number.NEGATIVE_INFINITY)) this.newest.set(deviceId, ts);
  }

  presenceChanged(deviceId: string, connected: boolean, at: number): void {
    this.newest.delete(deviceId);
    this.feed.presenceChanged(deviceId, connected, at);
  }

  /**
   * Connected devices that are stale at `now`: their newest reading since they connected is
   * older than `staleAfterMs`, or they sent none and connected longer ago than that.
   */
  staleIds(presence: DevicePresence, now: number, staleAfterMs: number): string[] {
    const stale: string[] = [];
    for (const id of presence.connectedIds()) {
      const connectedAt = presence.presence(id)?.connectedAt;
      if (connectedAt === undefined) continue;
      const freshest = Math.max(connectedAt, this.newest.get(id) ?? Number.NEGATIVE_INFINITY);
      if (now - freshest > staleAfterMs) stale.push(id);
    }
    return stale;
  }
}
