// The API's wire shapes, for clients written in TypeScript (the dashboard); types only.
export type { Alarm, AlarmStatus, AlarmTransition, AlarmTransitionKind } from "./alarms/alarm.js";
export type { BacktestAlarm, BacktestResult } from "./alarms/alarm-api.js";
export type {
  ChannelDefinition,
  ChannelKind,
  ChannelView,
  DeliveryAttempt,
  DeliveryKind,
  DeliveryStatus,
  EmailSettings,
  NotificationDelivery,
  NotifyOn,
  SlackSettings,
  WebhookSettings,
} from "./alarms/notification-channel.js";
export type {
  AlarmRule,
  ClearPolicy,
  Condition,
  Level,
  MetricCondition,
  NoDataCondition,
  OfflineCondition,
  RuleDefinition,
  RuleScope,
  Severity,
} from "./alarms/rule.js";
export * from "./app.js";
export type { CommandRecord, CommandState } from "./commands/command-record.js";
export * from "./config/hub-config.js";
export * from "./config/load-config.js";
export type { DeviceView } from "./http/device-view.js";
export { listeningDescription, listensOnAllInterfaces } from "./http/listen-address.js";
export type { LiveAlarm, LivePresence, LiveUpdate, LiveValue } from "./live/live-update.js";
/** The profiles the hub ships (seeded at start when absent). */
export { BUILT_IN_PROFILES } from "./profiles/builtin/index.js";
export type {
  DeviceProfile,
  MetricKind,
  ProfileChart,
  ProfileCommand,
  ProfileDefinition,
  ProfileMetric,
  ProfileVersionInfo,
} from "./profiles/profile.js";
