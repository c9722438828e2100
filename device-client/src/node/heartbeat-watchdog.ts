/**
 * Detects a dead hub: calls `onTimeout` when no sign of life (frame or ping) arrived for
 * `timeoutMs`. The hub pings every `hb` ms, so the client uses `2 × hb + grace`.
 */
export class HeartbeatWatchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: () => void,
  ) {}

  /** Start, or restart after a sign of life. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onTimeout();
    }, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
