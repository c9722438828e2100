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
  /** `nextDeadline` of the state as it is, or undefined when the state changed since it was asked. */
  due: number | null | undefined;
  /** Steps produced and not yet written: the state is ahead of the stored alarms until they are. */
  pendingSteps: number;
  /** The rule threw on this pair (logged once until it works again). */
  failing: boolean;
}

/** The watches fed by one metric's values. */
export interface MetricWatches {
  readonly metric: string;
  readonly watches: Watch[];
}

/**
 * The rules that watch one device, indexed by what feeds them: a metric's values (an array walked
 * per reading, each metric looked up in the reading by name), every reading (no data of any
 * metric), connection changes (offline).
 */
export class DeviceWatches {
  readonly byMetric: MetricWatches[] = [];
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
      const group = this.byMetric.find((entry) => entry.metric === condition.metric);
      if (group) group.watches.push(watch);
      else this.byMetric.push({ metric: condition.metric, watches: [watch] });
    }
  }

  /** The watch of a rule, if the rule watches this device. */
  of(ruleId: string): Watch | undefined {
    return this.all.find((watch) => watch.rule.id === ruleId);
  }

  /** Rebuild the indexes from `watches` (after the device's rules changed). */
  replaceAll(watches: readonly Watch[]): void {
    this.byMetric.length = 0;
    this.anyReading.length = 0;
    this.presence.length = 0;
    this.all.length = 0;
    for (const watch of watches) this.add(watch);
  }

  /** The metrics the device's rules read (undefined: every metric, for a no-data rule on any). */
  metricsRead(): string[] | undefined {
    return this.anyReading.length > 0 ? undefined : this.byMetric.map((entry) => entry.metric);
  }
}
