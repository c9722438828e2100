/** The shortest time between two slots: below it, spreading is not worth a timer. */
const MIN_SLOT_MS = 100;
/** The most slots an interval is cut into. */
const MAX_SLOTS = 100;

/**
 * Checks each member once per interval, but not all at once: members are dealt round-robin
 * into slots spread over the interval, and one slot is checked per tick. Pinging 10,000
 * devices in one turn stalls the hub for tens of milliseconds; a slot at a time does not.
 */
export class HeartbeatSchedule<T> {
  private readonly slots: Set<T>[];
  private readonly slotOf = new Map<T, number>();
  private readonly slotMs: number;
  private nextSlot = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    intervalMs: number,
    private readonly check: (member: T) => void,
  ) {
    const count = Math.max(1, Math.min(MAX_SLOTS, Math.floor(intervalMs / MIN_SLOT_MS)));
    this.slots = Array.from({ length: count }, () => new Set<T>());
    this.slotMs = intervalMs / count;
  }

  start(): void {
    this.timer ??= setInterval(() => this.checkSlot(), this.slotMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  add(member: T): void {
    if (this.slotOf.has(member)) return;
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % this.slots.length;
    this.slotOf.set(member, slot);
    (this.slots[slot] as Set<T>).add(member);
  }

  remove(member: T): void {
    const slot = this.slotOf.get(member);
    if (slot === undefined) return;
    this.slotOf.delete(member);
    (this.slots[slot] as Set<T>).delete(member);
  }

  /** Members being scheduled. */
  get size(): number {
    return this.slotOf.size;
  }

  private checkSlot(): void {
    const slot = this.slots[this.tick] as Set<T>;
    this.tick = (this.tick + 1) % this.slots.length;
    // A member removed during the pass (a dropped connection) is simply not visited.
    for (const member of slot) this.check(member);
  }
}
