/** Why a handshake got no slot. */
export type SlotRefusal = "hub" | "address";

/**
 * Admission control for device handshakes (upgrade to `welcome`): at most `maxConcurrent` at
 * once over all clients, and at most `maxPerAddress` (0: no limit) from one client address, so
 * that one address cannot take every slot and lock the other devices out. The HTTP transport's
 * long polls are counted by one too (`gateway.http.maxPolls`, `maxPollsPerAddress`).
 */
export class HandshakeSlots {
  private inProgress = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: { maxConcurrent: number; maxPerAddress: number },
    /** Told the number in progress after every change (the `telehub_handshakes_in_progress` gauge). */
    private readonly changed: (inProgress: number) => void,
  ) {}

  /** Take a slot for a handshake from `address`; answers why not when there is none. Each taken slot is released once. */
  take(address: string): SlotRefusal | undefined {
    if (this.inProgress >= this.limits.maxConcurrent) return "hub";
    const held = this.perAddress.get(address) ?? 0;
    if (this.limits.maxPerAddress > 0 && held >= this.limits.maxPerAddress) return "address";
    this.perAddress.set(address, held + 1);
    this.inProgress++;
    this.changed(this.inProgress);
    return undefined;
  }

  release(address: string): void {
    const held = (this.perAddress.get(address) ?? 1) - 1;
    if (held > 0) this.perAddress.set(address, held);
    else this.perAddress.delete(address);
    this.inProgress--;
    this.changed(this.inProgress);
  }
}
