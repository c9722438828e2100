/**
 * Milliseconds since the epoch with sub-millisecond resolution. Latency scenarios carry this in
 * the reading's value (timestamps on the wire are whole milliseconds, too coarse for a
 * sub-millisecond tail); sender and receiver share this process's clock.
 */
export function hiResNow(): number {
  return performance.timeOrigin + performance.now();
}
