import type { DataValue, MetricValue } from "@telehub/device-client/protocol";
import type { Random } from "./random.js";

/** One reading's metrics. */
export type Metrics = Record<string, MetricValue>;

/** A simulated device's signals: one call per reading, on the device clock. */
export interface DeviceModel {
  /** The next reading's metrics at device time `now` (ms). */
  next(now: number): Metrics;
  /**
   * A command that changes the model (a thermostat's set-point), for the names the profile
   * lists in `commands`. Returns the command's result; throws to fail it.
   */
  applyCommand?(name: string, args: Readonly<Record<string, DataValue>>): DataValue;
}

/** The documented range of one metric: tests hold every profile to it. */
export type MetricRange = { min: number; max: number } | { type: "boolean" } | { type: "string"; values: readonly string[] };

/** A simulator profile: a kind of device and how to make one. */
export interface Profile {
  name: string;
  description: string;
  /** Hardware model reported in `hello.model`. */
  model: string;
  ranges: Readonly<Record<string, MetricRange>>;
  /** Commands the devices handle (through `DeviceModel.applyCommand`); others fail with `TH_CMD_UNKNOWN`. */
  commands?: readonly string[];
  /** A device's model; `device` (0-based) varies phases and positions across the fleet. */
  create(random: Random, device: number): DeviceModel;
}
