import type { AdmissionRefusal } from "./gateway/device-admission.js";

/** What a new device session gets while the hub drains: another instance behind the load balancer takes it. */
export const DRAINING_REFUSAL: AdmissionRefusal = {
  code: "TH_HUB_BUSY",
  message: "the hub is draining before it stops; connect again (to another instance)",
  status: 503,
  retryAfterS: 1,
};

/**
 * The hub's drain before shutdown (`gateway.drainMs`, docs/operations.md): `/readyz` answers 503
 * `draining`, so a load balancer's health check takes the instance out of rotation, and new device
 * sessions (upgrades, HTTP `hello` requests) are refused with {@link DRAINING_REFUSAL}, while the
 * sessions already open go on streaming. Then the shutdown proper closes them with 1001.
 */
export class DrainState {
  private started = false;

  /** Whether the drain has begun (it lasts until the hub has stopped). */
  get draining(): boolean {
    return this.started;
  }

  /** Begin draining; resolves `drainMs` later. */
  async drain(drainMs: number): Promise<void> {
    this.started = true;
    await new Promise((resolve) => setTimeout(resolve, drainMs));
  }
}
