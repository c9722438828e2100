import { encodeFrame, type Reading } from "../protocol/index.js";
import { shiftReadings } from "./buffer/batch-queue.js";
import { InvalidReadingError } from "./client-errors.js";

/** Bytes of a batch frame around its readings, with room for the array header to grow. */
const FRAME_OVERHEAD = encodeFrame({ t: "batch", seq: Number.MAX_SAFE_INTEGER, r: [], rs: true }).length + 4;

/**
 * The open batch: collects readings and seals them into a batch at `maxReadings` readings,
 * before the encoded frame would exceed `maxFrameBytes`, or `intervalMs` after its first reading.
 */
export class BatchAssembler {
  private readings: Reading[] = [];
  private bytes = FRAME_OVERHEAD;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly onSeal: (readings: Reading[]) => void,
  ) {}

  get size(): number {
    return this.readings.length;
  }

  add(reading: Reading, limits: { maxReadings: number; maxFrameBytes: number }): void {
    const readingBytes = encodeFrame({ t: "batch", seq: 0, r: [reading] }).length - encodeFrame({ t: "batch", seq: 0, r: [] }).length;
    if (FRAME_OVERHEAD + readingBytes > limits.maxFrameBytes) {
      throw new InvalidReadingError(`the reading alone encodes to ${readingBytes} bytes, over the hub's frame limit`);
    }
    if (this.bytes + readingBytes > limits.maxFrameBytes) this.seal();
    this.readings.push(reading);
    this.bytes += readingBytes;
    if (this.readings.length >= limits.maxReadings) this.seal();
    else if (this.readings.length === 1) this.timer = setTimeout(() => this.seal(), this.intervalMs);
  }

  /** Add `deltaMs` to the open batch's timestamps (see `OfflineBuffer.shiftTimestamps`). */
  shiftTimestamps(deltaMs: number): void {
    this.readings = shiftReadings(this.readings, deltaMs);
  }

  /** Close the open batch now (no-op when empty). */
  seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.readings.length === 0) return;
    const readings = this.readings;
    this.readings = [];
    this.bytes = FRAME_OVERHEAD;
    this.onSeal(readings);
  }

  /** Stop the timer without sealing. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
