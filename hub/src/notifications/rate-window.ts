import { type Severity, severityRank } from "../alarms/rule.js";

/** What a held message contributes to its digest. */
export interface HeldMessage {
  alarmId: string;
  severity: Severity;
  /** Its line in the digest (kept for the first lines only, see {@link RateWindow}). */
  line: string;
}

/** What a window's end gives back: the alarms (distinct, in order), the first lines, how many messages were held, the highest severity. */
export interface Digest {
  alarmIds: string[];
  lines: string[];
  count: number;
  highest: Severity;
}

/**
 * One channel's rate limit: fixed windows of `windowMs`, each starting with the first message
 * after the previous one ended. Up to `count` messages are sent in a window; the rest are held,
 * and when the window ends they go out as one digest, which is the first message of the next
 * window. Pure: the caller passes the time and takes the digest when {@link digestDueAt} comes.
 */
export class RateWindow {
  private windowStart: number | null = null;
  private sent = 0;
  private held = 0;
  private highest: Severity = "warning";
  private readonly heldIds = new Set<string>();
  private readonly lines: string[] = [];

  constructor(
    readonly limit: { count: number; windowMs: number },
    /** Lines a digest keeps; beyond, held messages are only counted. */
    private readonly maxLines: number,
  ) {}

  /** Whether the message at `now` may go out (`send`, counted) or is held for the digest (`hold`). */
  admit(now: number, message: HeldMessage): "send" | "hold" {
    if (this.windowStart === null || now >= this.windowStart + this.limit.windowMs) {
      // A window ended with messages held: they and this one wait for the digest, due now.
      if (this.held > 0) return this.hold(message);
      this.windowStart = now;
      this.sent = 0;
    }
    if (this.sent < this.limit.count) {
      this.sent++;
      return "send";
    }
    return this.hold(message);
  }

  /** Whether the alarm is waiting in the coming digest. */
  holds(alarmId: string): boolean {
    return this.heldIds.has(alarmId);
  }

  /** When the held messages are due as a digest (the window's end), or null when none are held. */
  digestDueAt(): number | null {
    return this.held > 0 && this.windowStart !== null ? this.windowStart + this.limit.windowMs : null;
  }

  /**
   * The held messages as one digest, or undefined when none are held. The digest is the first
   * message of a window starting at `now`.
   */
  takeDigest(now: number): Digest | undefined {
    if (this.held === 0) return undefined;
    const digest = { alarmIds: [...this.heldIds], lines: this.lines.splice(0), count: this.held, highest: this.highest };
    this.heldIds.clear();
    this.held = 0;
    this.windowStart = now;
    this.sent = 1;
    return digest;
  }

  private hold(message: HeldMessage): "hold" {
    if (this.held === 0 || severityRank(message.severity) > severityRank(this.highest)) this.highest = message.severity;
    this.held++;
    this.heldIds.add(message.alarmId);
    if (this.lines.length < this.maxLines) this.lines.push(message.line);
    return "hold";
  }
}
