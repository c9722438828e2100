import type { AlarmRule, BacktestResult, RuleDefinition } from "@telehub/hub";
import { hubFetch } from "../api";
import { putVersioned, type VersionConflict } from "./versioned-save";

const pathOf = (id: string) => `/alarm-rules/${encodeURIComponent(id)}`;

/** `POST /alarm-rules`: answers the stored rule (version 1). */
export async function createRule(definition: RuleDefinition): Promise<AlarmRule> {
  return (await hubFetch<AlarmRule>("/alarm-rules", { method: "POST", body: JSON.stringify(definition) })).json;
}

/** `PUT /alarm-rules/:id` with the version being edited; a save in between throws a {@link VersionConflict}. */
export function updateRule(id: string, definition: RuleDefinition, edited: number): Promise<AlarmRule> {
  return putVersioned<AlarmRule>(pathOf(id), definition, edited, "TH_API_RULE_VERSION_CONFLICT");
}

/** `POST /alarm-rules/backtest`: what `rule` would have done on the device's stored history over `[from, to]`. */
export async function backtestRule(rule: RuleDefinition, deviceId: string, from: number, to: number): Promise<BacktestResult> {
  const body = JSON.stringify({ rule, deviceId, from, to });
  return (await hubFetch<BacktestResult>("/alarm-rules/backtest", { method: "POST", body })).json;
}
