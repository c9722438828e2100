import type { MetricValue } from "@telehub/device-client/protocol";
import type { Severity } from "./rule.js";

/**
 * What the evaluator remembers for one (rule, device): durable (saved by the engine, reloaded at
 * start), plain JSON. The evaluator owns its meaning; the engine and the store only keep it.
 */
export interface EvaluationState {
  ruleId: string;
  deviceId: string;
  /** The rule version this state was computed under (a changed rule starts afresh). */
  ruleVersion: number;
  /** When the engine started watching this device under this rule (hub time): the no-data clock starts here. */
  since: number;
  /**
   * The newest moment already evaluated (a reading's device ts, or a deadline acted on): a reading
   * at or before it is late, stored but not evaluated. null before the first.
   */
  watermark: number | null;
  lastValue: MetricValue | null;
  /** Newest reading ts (device time), for no-data. */
  lastReadingAt: number | null;
  /** Open alarm's id and severity, mirrored (null: none). */
  alarmId: string | null;
  alarmSeverity: Severity | null;
  /** Evaluator-private details (levels held and since when, rate samples, quiet and re-raise clocks, presence). */
  detail: Record<string, unknown>;
}
