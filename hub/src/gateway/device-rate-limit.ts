import type { ProtocolLimits } from "@telehub/device-client/protocol";
import { TokenBucket } from "./token-bucket.js";

/**
 * A device's frame rate and byte rate: a frame is admitted only if both have room. Each is a
 * token bucket counted when a frame arrives: at most `frameBurst + maxFramesPerSecond × t`
 * frames (and `max(maxBytesPerSecond, maxFrameBytes) + maxBytesPerSecond × t` bytes) are
 * admitted in any `t` seconds.
 */
export class DeviceRateLimit {
  private readonly frames: TokenBucket;
  private readonly bytes: TokenBucket;
  /** The limit that refused the last frame not admitted. */
  private refusedBy: "maxFramesPerSecond" | "maxBytesPerSecond" = "maxFramesPerSecond";

  constructor(limits: ProtocolLimits, now: () => number) {
    this.frames = new TokenBucket(limits.maxFramesPerSecond, limits.frameBurst, now);
    this.bytes = new TokenBucket(limits.maxBytesPerSecond, Math.max(limits.maxBytesPerSecond, limits.maxFrameBytes), now);
  }

  /** Take room for one frame of `size` bytes; false (and nothing taken) when either rate is exceeded. */
  admit(size: number): boolean {
    if (this.frames.available() < 1) {
      this.refusedBy = "maxFramesPerSecond";
      return false;
    }
    if (this.bytes.available() < size) {
      this.refusedBy = "maxBytesPerSecond";
      return false;
    }
    this.frames.take(1);
    this.bytes.take(size);
    return true;
  }

  /** Why the last frame was not admitted, naming the limit, for the `TH_RATE_LIMITED` message. */
  refusal(what = "frame dropped"): string {
    return `${what}: over ${this.refusedBy}`;
  }

  /** Milliseconds until a frame of `size` bytes would be admitted (at least 50). */
  retryAfterMs(size: number): number {
    return Math.max(50, this.frames.msUntil(1), this.bytes.msUntil(size));
  }
}
