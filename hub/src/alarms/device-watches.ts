import type { EvaluationState } from "./evaluation-state.js";
import type { AlarmRule } from "./rule.js";
import type { ScopedDevice } from "./rule-scope.js";

/** One rule watching one device: the evaluator's state for the pair and what the engine tracks about it. */
export interface Watch {
  readonly rule: AlarmRule;
  readonly deviceId: string;
  /** `pairKey(rule.id, deviceId)`. */
  readonly key: string;
  /** null until a metric rule's first reading (no-data and offline rules have one from the start). */
  state: EvaluationState | null;
  /** Changed since it was last written. */
  dirty: boolean;
  /** Steps produced and not yet written: the state is ahead of the stored alarms until they are. */
  pendingSteps: number;
  /** The rule threw on this pair (logged once until it works again). */
  failing: boolean;
}

/**
 * The rules that watch one device, indexed by what feeds them: a reading's metric looked up by
 * name, every reading (no data of any metric), connection changes (offline).
 */
export class DeviceWatches {
  readonly byMetric = new Map<string, Watch[]>();
  readonly anyReading: Watch[] = [];
  readonly presence: Watch[] = [];
  /** Every watch, in rule order. */
  readonly all: Watch[] = [];
  /** The record changed (connection, API): resolve the scope again before evaluating. */
  stale = false;

  constructor(public device: ScopedDevice) {}

  add(watch: Watch): void {
    this.all.push(watch);
    const { condition } = watch.rule;
    if (condition.kind === "offline") this.presence.push(watch);
    else if (condition.metric === undefined) this.anyReading.push(watch);
    else {
      const list = this.byMetric.get(condition.metric);
      if (list) list.push(watch);
      else this.byMetric.set(condition.metric, [watch]);
    }
  }

  /** The watch of a rule, if the rule watches this device. */
  of(ruleId: string): Watch | undefined {
    return this.all.find((watch) => watch.rule.id === ruleId);
  }

  /** Rebuild the indexes from `watches` (after the device's rules changed). */
  replaceAll(watches: readonly Watch[]): void {
    this.byMetric.clear();
    this.anyReading.length = 0;
    this.presence.length = 0;
    this.all.length = 0;
    for (const watch of watches) this.add(watch);
  }

  /** The metrics the device's rules read (undefined: every metric, for a no-data rule on any). */
  metricsRead(): string[] | undefined {
    return this.anyReading.length > 0 ? undefined : [...this.byMetric.keys()];
  }
}
