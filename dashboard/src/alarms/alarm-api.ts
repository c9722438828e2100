import type { Severity } from "@telehub/hub";
import { hubFetch, queryString } from "../api";
import type { AlarmWithTransitions } from "./alarm-history";

/** `GET /alarms/summary`: the open alarms counted. */
export interface AlarmSummary {
  bySeverity: Record<Severity, number>;
  unacknowledged: number;
  active: number;
}

export async function fetchAlarmSummary(): Promise<AlarmSummary> {
  return (await hubFetch<AlarmSummary>("/alarms/summary")).json;
}

/** Acknowledge or clear an alarm (operator+), with an optional comment; answers it with its history. */
export async function alarmStep(id: string, step: "acknowledge" | "clear", comment: string): Promise<AlarmWithTransitions> {
  const body = JSON.stringify(comment.trim() === "" ? {} : { comment });
  return (await hubFetch<AlarmWithTransitions>(`/alarms/${encodeURIComponent(id)}/${step}`, { method: "POST", body })).json;
}

/** The most alarms one request may carry with their histories (the hub's limit with `include=transitions`). */
export const MAX_WITH_TRANSITIONS = 100;

/** A device's alarms with their histories, newest raised first: the active ones, or those raised before `to`. */
export async function fetchDeviceAlarms(deviceId: string, options: { status?: "active"; to?: number }): Promise<AlarmWithTransitions[]> {
  const query = queryString({ deviceId, status: options.status, to: options.to, include: "transitions", limit: MAX_WITH_TRANSITIONS });
  return (await hubFetch<{ data: AlarmWithTransitions[] }>(`/alarms${query}`)).json.data;
}
