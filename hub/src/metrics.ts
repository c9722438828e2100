import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The hub's Prometheus metrics, one registry per hub instance (tests run several in one process). */
export class HubMetrics {
  readonly registry = new Registry();
  readonly connectedDevices = new Gauge({
    name: "telehub_connected_devices",
    help: "Devices with an open session",
    registers: [this.registry],
  });
  readonly handshakesInProgress = new Gauge({
    name: "telehub_handshakes_in_progress",
    help: "Upgrades that have not yet been answered with welcome",
    registers: [this.registry],
  });
  readonly framesReceived = new Counter({
    name: "telehub_frames_received_total",
    help: "Device frames received, by type",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });
  readonly readingsStored = new Counter({
    name: "telehub_readings_stored_total",
    help: "Readings made durable",
    registers: [this.registry],
  });
  readonly batchesDuplicate = new Counter({
    name: "telehub_batches_duplicate_total",
    help: "Batches received again after they were durable (acknowledged, not stored twice)",
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "telehub_rejected_total",
    help: "Upgrades, frames and connections refused, by error code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: "telehub_ack_latency_seconds",
    help: "From a batch's arrival to its acknowledgement",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly storeWriteLatency = new Histogram({
    name: "telehub_store_write_seconds",
    help: "Duration of one telemetry store commit (group of batches)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly storeWriteErrors = new Counter({
    name: "telehub_store_write_errors_total",
    help: "Failed telemetry store commits",
    registers: [this.registry],
  });
  readonly storeBatchesPerCommit = new Histogram({
    name: "telehub_store_batches_per_commit",
    help: "Device batches grouped into one store commit",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "telehub_" });
  }
}
