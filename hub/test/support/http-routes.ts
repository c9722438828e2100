import type { Access } from "../../src/http/authentication.js";

/** One route of the API as the tests exercise it, with a concrete URL and a valid body. */
export interface ApiRouteCase {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** OpenAPI path (`{id}` for parameters). */
  path: string;
  url: string;
  access: Access;
  body?: unknown;
}

/** Device and key ids the cases name (they need not exist: authentication comes first). */
export const CASE_DEVICE_ID = "case-device";
export const CASE_KEY_ID = "0123456789abcdef";
export const CASE_USER_ID = "fedcba9876543210";
/** A profile the cases name and create (it need not exist either). */
export const CASE_PROFILE_ID = "case-profile";
export const CASE_PROFILE = { id: CASE_PROFILE_ID, name: "Case profile", metrics: [], commands: [], layout: { charts: [] } };
/** A username and password the cases send (no such user exists unless a test makes one). */
export const CASE_USERNAME = "case-user";
export const CASE_PASSWORD = "case-password-long-enough";

/** Alarm, rule, channel and delivery ids the cases name (they need not exist). */
export const CASE_RULE_ID = "case-rule";
export const CASE_ALARM_ID = "case-alarm";
export const CASE_CHANNEL_ID = "case-channel";
export const CASE_DELIVERY_ID = "case-delivery";
/** A valid alarm rule (labels scope: nothing it names need exist). */
export const CASE_RULE = {
  name: "Case rule",
  scope: { kind: "labels", labels: { site: "case" } },
  condition: { kind: "metric", metric: "temperature", levels: [{ severity: "major", op: "above", value: 90 }], forMs: 0 },
};
/** A valid notification channel (a webhook to a port nobody listens on: the cases never send). */
export const CASE_CHANNEL = {
  name: "Case channel",
  kind: "webhook",
  settings: { url: "http://127.0.0.1:9/case", secret: "case-secret" },
  severities: ["critical"],
  on: ["raised"],
};
const CASE_RANGE = { deviceId: CASE_DEVICE_ID, from: 1_700_000_000_000, to: 1_700_000_060_000 };

/**
 * Every route of the hub's HTTP API. The OpenAPI test checks this list against the document
 * in both directions, so a new route cannot miss the authentication tests.
 */
export const API_ROUTE_CASES: readonly ApiRouteCase[] = [
  { method: "GET", path: "/", url: "/", access: "public" },
  { method: "GET", path: "/healthz", url: "/healthz", access: "public" },
  { method: "GET", path: "/readyz", url: "/readyz", access: "public" },
  { method: "GET", path: "/metrics", url: "/metrics", access: "viewer" },
  { method: "GET", path: "/api/v1/openapi.json", url: "/api/v1/openapi.json", access: "public" },
  { method: "GET", path: "/api/v1/me", url: "/api/v1/me", access: "viewer" },
  { method: "GET", path: "/api/v1/devices", url: "/api/v1/devices", access: "viewer" },
  { method: "POST", path: "/api/v1/devices", url: "/api/v1/devices", access: "operator", body: { id: CASE_DEVICE_ID } },
  { method: "GET", path: "/api/v1/devices/{id}", url: `/api/v1/devices/${CASE_DEVICE_ID}`, access: "viewer" },
  {
    method: "PATCH",
    path: "/api/v1/devices/{id}",
    url: `/api/v1/devices/${CASE_DEVICE_ID}`,
    access: "operator",
    body: { name: "renamed" },
  },
  { method: "DELETE", path: "/api/v1/devices/{id}", url: `/api/v1/devices/${CASE_DEVICE_ID}`, access: "operator" },
  { method: "POST", path: "/api/v1/devices/{id}/token", url: `/api/v1/devices/${CASE_DEVICE_ID}/token`, access: "operator" },
  { method: "POST", path: "/api/v1/devices/{id}/revoke", url: `/api/v1/devices/${CASE_DEVICE_ID}/revoke`, access: "operator" },
  { method: "GET", path: "/api/v1/devices/{id}/latest", url: `/api/v1/devices/${CASE_DEVICE_ID}/latest`, access: "viewer" },
  { method: "GET", path: "/api/v1/devices/{id}/telemetry", url: `/api/v1/devices/${CASE_DEVICE_ID}/telemetry?metric=t`, access: "viewer" },
  { method: "GET", path: "/api/v1/devices/{id}/telemetry/raw", url: `/api/v1/devices/${CASE_DEVICE_ID}/telemetry/raw`, access: "viewer" },
  { method: "GET", path: "/api/v1/api-keys", url: "/api/v1/api-keys", access: "viewer" },
  { method: "POST", path: "/api/v1/api-keys", url: "/api/v1/api-keys", access: "viewer", body: { name: "k", role: "viewer" } },
  { method: "DELETE", path: "/api/v1/api-keys/{id}", url: `/api/v1/api-keys/${CASE_KEY_ID}`, access: "viewer" },
  {
    method: "POST",
    path: "/api/v1/session",
    url: "/api/v1/session",
    access: "public",
    body: { username: CASE_USERNAME, password: CASE_PASSWORD },
  },
  { method: "GET", path: "/api/v1/session", url: "/api/v1/session", access: "viewer" },
  { method: "DELETE", path: "/api/v1/session", url: "/api/v1/session", access: "viewer" },
  { method: "DELETE", path: "/api/v1/sessions", url: "/api/v1/sessions", access: "viewer" },
  {
    method: "POST",
    path: "/api/v1/me/password",
    url: "/api/v1/me/password",
    access: "viewer",
    body: { currentPassword: CASE_PASSWORD, newPassword: `${CASE_PASSWORD}-new` },
  },
  { method: "GET", path: "/api/v1/users", url: "/api/v1/users", access: "admin" },
  {
    method: "POST",
    path: "/api/v1/users",
    url: "/api/v1/users",
    access: "admin",
    body: { username: CASE_USERNAME, role: "viewer", password: CASE_PASSWORD },
  },
  { method: "GET", path: "/api/v1/users/{id}", url: `/api/v1/users/${CASE_USER_ID}`, access: "admin" },
  { method: "PATCH", path: "/api/v1/users/{id}", url: `/api/v1/users/${CASE_USER_ID}`, access: "admin", body: { name: "renamed" } },
  {
    method: "POST",
    path: "/api/v1/users/{id}/password",
    url: `/api/v1/users/${CASE_USER_ID}/password`,
    access: "admin",
    body: { password: CASE_PASSWORD },
  },
  { method: "DELETE", path: "/api/v1/users/{id}", url: `/api/v1/users/${CASE_USER_ID}`, access: "admin" },
  {
    method: "POST",
    path: "/api/v1/devices/{id}/commands",
    url: `/api/v1/devices/${CASE_DEVICE_ID}/commands`,
    access: "operator",
    body: { name: "reboot" },
  },
  { method: "GET", path: "/api/v1/commands", url: "/api/v1/commands", access: "viewer" },
  { method: "GET", path: "/api/v1/commands/{id}", url: "/api/v1/commands/case-command", access: "viewer" },
  { method: "POST", path: "/api/v1/commands/{id}/cancel", url: "/api/v1/commands/case-command/cancel", access: "operator" },
  {
    method: "POST",
    path: "/api/v1/commands/bulk",
    url: "/api/v1/commands/bulk",
    access: "operator",
    body: { name: "reboot", devices: [CASE_DEVICE_ID] },
  },
  { method: "GET", path: "/api/v1/devices/{id}/config", url: `/api/v1/devices/${CASE_DEVICE_ID}/config`, access: "viewer" },
  {
    method: "PUT",
    path: "/api/v1/devices/{id}/config",
    url: `/api/v1/devices/${CASE_DEVICE_ID}/config`,
    access: "operator",
    body: { document: { interval: 10 } },
  },
  { method: "GET", path: "/api/v1/audit", url: "/api/v1/audit", access: "admin" },
  { method: "GET", path: "/api/v1/profiles", url: "/api/v1/profiles", access: "viewer" },
  { method: "GET", path: "/api/v1/profiles/{id}", url: `/api/v1/profiles/${CASE_PROFILE_ID}`, access: "viewer" },
  { method: "POST", path: "/api/v1/profiles", url: "/api/v1/profiles", access: "admin", body: CASE_PROFILE },
  {
    method: "PUT",
    path: "/api/v1/profiles/{id}",
    url: `/api/v1/profiles/${CASE_PROFILE_ID}`,
    access: "admin",
    body: { name: CASE_PROFILE.name, metrics: [], commands: [], layout: { charts: [] } },
  },
  { method: "DELETE", path: "/api/v1/profiles/{id}", url: `/api/v1/profiles/${CASE_PROFILE_ID}`, access: "admin" },
  { method: "GET", path: "/api/v1/profiles/{id}/versions", url: `/api/v1/profiles/${CASE_PROFILE_ID}/versions`, access: "viewer" },
  {
    method: "GET",
    path: "/api/v1/profiles/{id}/versions/{version}",
    url: `/api/v1/profiles/${CASE_PROFILE_ID}/versions/1`,
    access: "viewer",
  },
  {
    method: "GET",
    path: "/api/v1/devices/{id}/telemetry/export",
    url: `/api/v1/devices/${CASE_DEVICE_ID}/telemetry/export`,
    access: "viewer",
  },
  { method: "GET", path: "/api/v1/fleet/summary", url: "/api/v1/fleet/summary", access: "viewer" },
  { method: "GET", path: "/api/v1/fleet/latest", url: `/api/v1/fleet/latest?ids=${CASE_DEVICE_ID}`, access: "viewer" },
  { method: "GET", path: "/api/v1/me/preferences", url: "/api/v1/me/preferences", access: "viewer" },
  { method: "PUT", path: "/api/v1/me/preferences", url: "/api/v1/me/preferences", access: "viewer", body: { theme: "dark" } },
  { method: "GET", path: "/api/v1/live", url: "/api/v1/live?topics=presence:*", access: "viewer" },
  { method: "GET", path: "/api/v1/live/poll", url: "/api/v1/live/poll?topics=presence:*", access: "viewer" },
  { method: "GET", path: "/api/v1/alarm-rules", url: "/api/v1/alarm-rules", access: "viewer" },
  { method: "POST", path: "/api/v1/alarm-rules", url: "/api/v1/alarm-rules", access: "operator", body: CASE_RULE },
  { method: "GET", path: "/api/v1/alarm-rules/{id}", url: `/api/v1/alarm-rules/${CASE_RULE_ID}`, access: "viewer" },
  { method: "PUT", path: "/api/v1/alarm-rules/{id}", url: `/api/v1/alarm-rules/${CASE_RULE_ID}`, access: "operator", body: CASE_RULE },
  { method: "DELETE", path: "/api/v1/alarm-rules/{id}", url: `/api/v1/alarm-rules/${CASE_RULE_ID}`, access: "operator" },
  {
    method: "POST",
    path: "/api/v1/alarm-rules/backtest",
    url: "/api/v1/alarm-rules/backtest",
    access: "operator",
    body: { rule: CASE_RULE, ...CASE_RANGE },
  },
  {
    method: "POST",
    path: "/api/v1/alarm-rules/{id}/backtest",
    url: `/api/v1/alarm-rules/${CASE_RULE_ID}/backtest`,
    access: "operator",
    body: CASE_RANGE,
  },
  { method: "GET", path: "/api/v1/alarms", url: "/api/v1/alarms", access: "viewer" },
  { method: "GET", path: "/api/v1/alarms/summary", url: "/api/v1/alarms/summary", access: "viewer" },
  { method: "GET", path: "/api/v1/alarms/{id}", url: `/api/v1/alarms/${CASE_ALARM_ID}`, access: "viewer" },
  {
    method: "POST",
    path: "/api/v1/alarms/{id}/acknowledge",
    url: `/api/v1/alarms/${CASE_ALARM_ID}/acknowledge`,
    access: "operator",
    body: { comment: "seen" },
  },
  {
    method: "POST",
    path: "/api/v1/alarms/{id}/clear",
    url: `/api/v1/alarms/${CASE_ALARM_ID}/clear`,
    access: "operator",
    body: { comment: "fixed" },
  },
  { method: "GET", path: "/api/v1/notification-channels", url: "/api/v1/notification-channels", access: "viewer" },
  { method: "POST", path: "/api/v1/notification-channels", url: "/api/v1/notification-channels", access: "admin", body: CASE_CHANNEL },
  {
    method: "GET",
    path: "/api/v1/notification-channels/{id}",
    url: `/api/v1/notification-channels/${CASE_CHANNEL_ID}`,
    access: "viewer",
  },
  {
    method: "PUT",
    path: "/api/v1/notification-channels/{id}",
    url: `/api/v1/notification-channels/${CASE_CHANNEL_ID}`,
    access: "admin",
    body: CASE_CHANNEL,
  },
  {
    method: "DELETE",
    path: "/api/v1/notification-channels/{id}",
    url: `/api/v1/notification-channels/${CASE_CHANNEL_ID}`,
    access: "admin",
  },
  {
    method: "POST",
    path: "/api/v1/notification-channels/{id}/test",
    url: `/api/v1/notification-channels/${CASE_CHANNEL_ID}/test`,
    access: "admin",
  },
  { method: "GET", path: "/api/v1/notification-deliveries", url: "/api/v1/notification-deliveries", access: "operator" },
  {
    method: "GET",
    path: "/api/v1/notification-deliveries/{id}",
    url: `/api/v1/notification-deliveries/${CASE_DELIVERY_ID}`,
    access: "operator",
  },
];
