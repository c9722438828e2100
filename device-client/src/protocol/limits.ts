/**
 * Limits the hub enforces on every device connection. The hub sends the values in force
 * in `welcome.lim`, so a device can size its batches without knowing the hub's config.
 */
export interface ProtocolLimits {
  /** Largest binary frame in bytes, either direction. Default 65,536 (Espruino's stock `ws` cannot go past 65,535). */
  maxFrameBytes: number;
  /** Most readings in one `batch` frame. Default 500. */
  maxReadingsPerBatch: number;
  /** Most metrics in one reading. Default 64. */
  maxMetricsPerReading: number;
  /** Longest metric name in bytes. Default 64. */
  maxNameLength: number;
  /** Longest string value in bytes. Default 256. */
  maxStringLength: number;
  /** Most batches a device may have sent and not yet had acknowledged. Default 16. */
  maxBatchesInFlight: number;
  /** Sustained frames per second per device (token bucket refill rate). Default 100. */
  maxFramesPerSecond: number;
  /** Token bucket size: frames a device may send in a burst above the rate. Default 200. */
  frameBurst: number;
  /** Sustained bytes per second per device (frames' sizes); the burst is the larger of this and `maxFrameBytes`. Default 262,144. */
  maxBytesPerSecond: number;
  /** Deepest nesting of arrays and maps in a device's frame (the frame's own map is depth 1). Default 32. */
  maxNestingDepth: number;
}

/** The defaults of {@link ProtocolLimits}; `docs/protocol.md` lists the same values. */
export const DEFAULT_LIMITS: Readonly<ProtocolLimits> = {
  maxFrameBytes: 65_536,
  maxReadingsPerBatch: 500,
  maxMetricsPerReading: 64,
  maxNameLength: 64,
  maxStringLength: 256,
  maxBatchesInFlight: 16,
  maxFramesPerSecond: 100,
  frameBurst: 200,
  maxBytesPerSecond: 262_144,
  maxNestingDepth: 32,
};

/** Metric names: ASCII letters, digits and `_ . - /`, starting with a letter or digit. */
export const METRIC_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/;

/** Command names (`cmd.name`, `hello.cmds`): ASCII letters, digits and `_ . : -`, starting with a letter or digit; at most {@link MAX_COMMAND_NAME_LENGTH} characters. */
export const COMMAND_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/** The longest command name. */
export const MAX_COMMAND_NAME_LENGTH = 64;
/** The most command names one `hello.cmds` lists. */
export const MAX_HELLO_COMMANDS = 64;
