import type { WireLimits } from "./frames.js";
import { DEFAULT_LIMITS, type ProtocolLimits } from "./limits.js";

/** Limits as the hub announces them in `welcome.lim`. */
export function toWireLimits(limits: ProtocolLimits): WireLimits {
  return {
    frame: limits.maxFrameBytes,
    batch: limits.maxReadingsPerBatch,
    metrics: limits.maxMetricsPerReading,
    name: limits.maxNameLength,
    str: limits.maxStringLength,
    inflight: limits.maxBatchesInFlight,
    rate: limits.maxFramesPerSecond,
    burst: limits.frameBurst,
    bps: limits.maxBytesPerSecond,
    depth: limits.maxNestingDepth,
  };
}

/** Limits a device learns from `welcome.lim`. */
export function fromWireLimits(lim: WireLimits): ProtocolLimits {
  return {
    maxFrameBytes: lim.frame,
    maxReadingsPerBatch: lim.batch,
    maxMetricsPerReading: lim.metrics,
    maxNameLength: lim.name,
    maxStringLength: lim.str,
    maxBatchesInFlight: lim.inflight,
    maxFramesPerSecond: lim.rate,
    frameBurst: lim.burst,
    maxBytesPerSecond: lim.bps ?? DEFAULT_LIMITS.maxBytesPerSecond,
    maxNestingDepth: lim.depth ?? DEFAULT_LIMITS.maxNestingDepth,
  };
}
