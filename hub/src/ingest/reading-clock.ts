/** Entries kept before the first sweep of stamps that are already in the past. */
const FIRST_SWEEP_AT = 1_024;

/**
 * Stamps for readings without `ts`, per device: each gets the hub's receive time, but at least
 * 1 ms after the device's previous stamp, so a batch of clockless readings becomes distinct,
 * ordered points instead of overwriting one another. Kept per device, not per connection, so
 * a reconnect (which can land in the same millisecond) does not reuse a stamp.
 *
 * A device whose last stamp is already in the past needs no entry (its next stamp is the receive
 * time anyway): such entries are swept whenever the map has doubled, so memory stays bounded by
 * the devices that sent clockless readings within the last few milliseconds.
 */
export class ReadingClock {
  private readonly lastStamps = new Map<string, number>();
  private sweepAt = FIRST_SWEEP_AT;

  /** The first stamp a device's next clockless reading may take, received at `receivedAt`. */
  next(deviceId: string, receivedAt: number): number {
    const last = this.lastStamps.get(deviceId);
    return last === undefined || last < receivedAt ? receivedAt : last + 1;
  }

  /** A batch whose clockless readings took stamps up to `lastStamp` was accepted. */
  taken(deviceId: string, lastStamp: number, now: number): void {
    this.lastStamps.set(deviceId, lastStamp);
    if (this.lastStamps.size >= this.sweepAt) this.sweep(now);
  }

  /** Devices with an entry (for tests and memory accounting). */
  get size(): number {
    return this.lastStamps.size;
  }

  private sweep(now: number): void {
    for (const [deviceId, last] of this.lastStamps) if (last < now) this.lastStamps.delete(deviceId);
    this.sweepAt = Math.max(FIRST_SWEEP_AT, this.lastStamps.size * 2);
  }
}
