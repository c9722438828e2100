import type pino from "pino";
import type { AlarmRule } from "../alarms/rule.js";
import type { SharedCaches } from "./cluster-cache-notices.js";

/**
 * Whether any enabled rule of the cluster looks at readings (a metric's values, or no data of any
 * metric): while none does, an instance sends no readings to the alarm feed stream, only
 * connection changes (offline rules), and the cluster's durable ingest is not written twice for
 * nothing. Opened until the rules are read, and whenever they cannot be: an input too many is
 * evaluated and dropped, one too few is an alarm missed. Reads the rules again when an instance
 * says they changed (`rules` cache notice); a reading accepted elsewhere in the moment between a
 * first rule's creation and that notice is not evaluated.
 */
export class ReadingRulesGate {
  private anyReadingRule = true;
  private readonly stopListening: () => void;
  private loads = 0;

  constructor(
    private readonly rules: () => Promise<AlarmRule[]>,
    private readonly caches: SharedCaches,
    private readonly log: pino.Logger,
  ) {
    this.stopListening = caches.onChanged("rules", () => void this.reload());
  }

  /** Whether readings go to the alarm feed. */
  get open(): boolean {
    return this.anyReadingRule;
  }

  /** Read the rules again (at start, and after this instance changed one). */
  async reload(): Promise<void> {
    const load = ++this.loads;
    try {
      const rules = await this.rules();
      // Only the newest load's answer counts (an older one may finish after it).
      if (load === this.loads) this.anyReadingRule = rules.some((rule) => rule.enabled && rule.condition.kind !== "offline");
    } catch (error) {
      this.anyReadingRule = true;
      this.log.warn({ err: error }, "the alarm rules could not be read: every reading goes to the alarm feed");
    }
  }

  /** This instance saved or deleted a rule: the other instances read the rules again, and so does this one. */
  rulesChanged(): Promise<void> {
    this.caches.changed("rules");
    return this.reload();
  }

  close(): void {
    this.stopListening();
  }
}
