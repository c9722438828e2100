/** Faults a run injects; each interval is the time between two injections across the fleet. */
export interface FaultPlan {
  /** Every this many ms one random connected device ends its TCP connection cleanly. */
  disconnectEveryMs?: number;
  /** Every this many ms one random connected device's connection is reset (RST): in-flight data is lost. */
  killEveryMs?: number;
  /** Every this many ms one random connected device sends a frame the hub cannot decode. */
  malformedEveryMs?: number;
  /** Every this many ms one random device sends its next `burstSize` readings at once. */
  burstEveryMs?: number;
  /** Readings per burst. Default 100. */
  burstSize?: number;
  /** Each device's clock is off by a fixed amount drawn from ±this many ms. Default 0. */
  clockSkewMs?: number;
  /** Each device handles what the hub sends (acks, pings) this many ms late. Default 0. */
  slowAckMs?: number;
}

/** What was injected, by kind. */
export interface FaultCounts {
  disconnects: number;
  kills: number;
  malformed: number;
  bursts: number;
}
