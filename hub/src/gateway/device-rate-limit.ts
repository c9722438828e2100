import type { ProtocolLimits } from "@telehub/device-client/protocol";
import { TokenBucket } from "./token-bucket.js";

/** A device's frame rate and byte rate: a frame is admitted only if both have room. */
export class DeviceRateLimit {
  private readonly frames: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(limits: ProtocolLimits, now: () => number) {
    this.frames = new TokenBucket(limits.maxFramesPerSecond, limits.frameBurst, now);
    this.bytes = new TokenBucket(limits.maxBytesPerSecond, Math.max(limits.maxBytesPerSecond, limits.maxFrameBytes), now);
  }

  /** Take room for one frame of `size` bytes; false (and nothing taken) when either rate is exceeded. */
  admit(size: number): boolean {
    if (this.frames.available() < 1 || this.bytes.available() < size) return false;
    this.frames.take(1);
    this.bytes.take(size);
    return true;
  }

  /** Milliseconds until a frame of `size` bytes would be admitted (at least 50). */
  retryAfterMs(size: number): number {
    return Math.max(50, this.frames.msUntil(1), this.bytes.msUntil(size));
  }
}
