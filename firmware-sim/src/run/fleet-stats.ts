import { percentile } from "../bench/percentiles.js";
import type { SimulatedDevice } from "./simulated-device.js";

/** The fleet's state at one moment: what the live view and the summary show. */
export interface FleetSnapshot {
  elapsedMs: number;
  devices: number;
  connected: number;
  sent: number;
  acknowledged: number;
  /** Readings the clients still hold: in their buffers and open batches. */
  pending: number;
  dropped: number;
  rejected: number;
  reconnects: number;
  /**
   * Connection attempts the hub refused at the upgrade (or, over HTTP, requests it or a proxy
   * refused) and the device retried, by error code (`TH_HUB_BUSY`: admission control;
   * `HTTP <status>` when the refusal named no code). Part of `reconnects`.
   */
  refused: Record<string, number>;
  /** Readings per second handed to the clients since the previous snapshot. */
  sentPerSecond: number;
  /** Ack latency over the window since the previous snapshot (ms); NaN without acks. */
  ackP50Ms: number;
  ackP99Ms: number;
}

/** Counts across the fleet and ack latencies, for live snapshots and the run's totals. */
export class FleetStats {
  private readonly all: number[] = [];
  private readonly refused: Record<string, number> = {};
  private recent: number[] = [];
  private previous = { at: 0, sent: 0 };

  constructor(
    private readonly devices: readonly SimulatedDevice[],
    private readonly startedAt: number,
  ) {
    this.previous.at = startedAt;
    for (const device of devices) {
      device.client.on("ack", () => {
        const latency = device.client.stats.lastAckLatencyMs;
        if (latency === undefined) return;
        this.recent.push(latency);
        this.all.push(latency);
      });
      device.client.on("disconnected", (event) => {
        if (!event.willReconnect || event.httpStatus === undefined) return;
        const code = event.errorCode ?? `HTTP ${event.httpStatus}`;
        this.refused[code] = (this.refused[code] ?? 0) + 1;
      });
    }
  }

  /** The state now; the sent rate and the latencies cover the time since the last call. */
  snapshot(now = performance.now()): FleetSnapshot {
    let connected = 0;
    let sent = 0;
    let acknowledged = 0;
    let pending = 0;
    let dropped = 0;
    let rejected = 0;
    let reconnects = 0;
    for (const device of this.devices) {
      const stats = device.client.stats;
      if (device.client.connected) connected++;
      sent += device.sent;
      acknowledged += stats.ackedReadings;
      pending += stats.bufferedReadings;
      dropped += stats.droppedReadings;
      rejected += stats.rejectedBatches;
      reconnects += stats.reconnects;
    }
    const seconds = Math.max(1e-3, (now - this.previous.at) / 1000);
    const window = this.recent;
    this.recent = [];
    const snapshot = {
      elapsedMs: now - this.startedAt,
      devices: this.devices.length,
      connected,
      sent,
      acknowledged,
      pending,
      dropped,
      rejected,
      reconnects,
      refused: { ...this.refused },
      sentPerSecond: (sent - this.previous.sent) / seconds,
      ackP50Ms: percentile(window, 50),
      ackP99Ms: percentile(window, 99),
    };
    this.previous = { at: now, sent };
    return snapshot;
  }

  /** Ack latency percentile over the whole run (ms). */
  latency(p: number): number {
    return percentile(this.all, p);
  }
}
