import type { MetricValue } from "@telehub/device-client/protocol";
import type { Random } from "./random.js";

/** One reading's metrics. */
export type Metrics = Record<string, MetricValue>;

/** A simulated device's signals: one call per reading, on the device clock. */
export interface DeviceModel {
  /** The next reading's metrics at device time `now` (ms). */
  next(now: number): Metrics;
  /**
   * Extension point for the commands issue: a command that changes the model (a thermostat's
   * set-point). Returns false for a command the model does not know. Not called yet.
   */
  applyCommand?(name: string, params: Readonly<Record<string, MetricValue>>): boolean;
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
  /** A device's model; `device` (0-based) varies phases and positions across the fleet. */
  create(random: Random, device: number): DeviceModel;
}
