import type { MetricValue } from "@telehub/device-client/protocol";
import type { Alarm, AlarmTransition } from "../alarms/alarm.js";
import type { CommandRecord } from "../commands/command-record.js";
import type { DeviceConfigRecord } from "../desired-config/desired-config-store.js";

/** The newest value of one metric of one device. */
export interface LiveValue {
  deviceId: string;
  metric: string;
  ts: number;
  value: MetricValue;
}

/** A device's connection came or went. */
export interface LivePresence {
  deviceId: string;
  connected: boolean;
  at: number;
}

/** An alarm after one step of its life, and that step. */
export interface LiveAlarm {
  alarm: Alarm;
  transition: AlarmTransition;
}

/**
 * One message to a dashboard connection: everything since the last one. `telemetry` holds only
 * the newest value per device and metric; events are in order; `dropped` counts events lost
 * because the connection was too slow (reload what matters through the API when it is > 0).
 */
export interface LiveUpdate {
  type: "update";
  telemetry: LiveValue[];
  commands: CommandRecord[];
  presence: LivePresence[];
  config: DeviceConfigRecord[];
  alarms: LiveAlarm[];
  dropped: number;
}

/**
 * What a connection can subscribe to: `telemetry:*` or `telemetry:<deviceId>`, `commands:*` or
 * `commands:<deviceId>`, `presence:*`, `config:*` or `config:<deviceId>`, `alarms:*` or `alarms:<deviceId>`.
 */
export const TOPIC_PATTERN = /^(telemetry|commands|presence|config|alarms):(\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})$/;
