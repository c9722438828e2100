import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The hub's Prometheus metrics, one registry per hub instance (tests run several in one process). */
export class HubMetrics {
  readonly registry = new Registry();
  readonly connectedDevices = new Gauge({
    name: "telehub_connected_devices",
    help: "Devices with an open session",
    registers: [this.registry],
  });
  readonly httpPolls = new Gauge({
    name: "telehub_http_polls",
    help: "HTTP transport requests with a wait (long polls) in progress",
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
  readonly storeMergeRounds = new Counter({
    name: "telehub_store_merge_rounds_total",
    help: "Rounds merging the embedded store's reading log into its readings, by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly storeMergedValues = new Counter({
    name: "telehub_store_merged_values_total",
    help: "Values the embedded store's merge rounds moved from the reading log into its readings",
    registers: [this.registry],
  });
  readonly storeMergeRoundSeconds = new Histogram({
    name: "telehub_store_merge_round_seconds",
    help: "One merge round of the embedded store, from its start to its end (its steps and the work between them)",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly influxSpoolBytes = new Gauge({
    name: "telehub_influx_spool_bytes",
    help: "Line protocol waiting in the InfluxDB spool (bytes)",
    registers: [this.registry],
  });
  readonly influxSpoolBatches = new Gauge({
    name: "telehub_influx_spool_batches",
    help: "Spool entries (group commits) waiting to be written to InfluxDB",
    registers: [this.registry],
  });
  readonly influxDrainLag = new Gauge({
    name: "telehub_influx_drain_lag_seconds",
    help: "Age of the oldest spool entry not yet in InfluxDB (0 when the spool is empty)",
    registers: [this.registry],
  });
  readonly influxWriteSeconds = new Histogram({
    name: "telehub_influx_write_seconds",
    help: "Duration of one successful drain of a spool run to InfluxDB",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly influxWriteErrors = new Counter({
    name: "telehub_influx_write_errors_total",
    help: "Failed InfluxDB writes (retried), by HTTP status (0: unreachable)",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly influxDeadLetteredPoints = new Counter({
    name: "telehub_influx_dead_lettered_points_total",
    help: "Points InfluxDB rejected as malformed, written to the dead-letter file",
    registers: [this.registry],
  });
  readonly ingestBacklogMessages = new Gauge({
    name: "telehub_ingest_backlog_messages",
    help: "Cluster: batches in the JetStream ingest stream not yet written to InfluxDB (the whole cluster's backlog)",
    registers: [this.registry],
  });
  readonly ingestBacklogBytes = new Gauge({
    name: "telehub_ingest_backlog_bytes",
    help: "Cluster: bytes of the JetStream ingest stream's backlog (refused at cluster.ingestMaxBytes)",
    registers: [this.registry],
  });

  readonly httpConnectionsRefused = new Counter({
    name: "telehub_http_connections_refused_total",
    help: "TCP connections closed at once because their peer address held http.maxConnectionsPerAddress",
    registers: [this.registry],
  });

  readonly liveSubscribers = new Gauge({
    name: "telehub_live_subscribers",
    help: "Dashboard live connections (WebSocket and SSE)",
    registers: [this.registry],
  });
  /** The live channel's backlog, set by the live hub; read when metrics are scraped, never on the fan-out path. */
  liveBacklog: () => { bufferedBytes: number; pendingEntries: number } = () => ({ bufferedBytes: 0, pendingEntries: 0 });
  readonly liveBufferedBytes: Gauge = new Gauge({
    name: "telehub_live_buffered_bytes",
    help: "Bytes written to live connections but not yet taken by them (all connections together; each stops getting updates past live.maxBufferedBytes)",
    registers: [this.registry],
    collect: (): void => this.liveBufferedBytes.set(this.liveBacklog().bufferedBytes),
  });
  readonly livePendingEntries: Gauge = new Gauge({
    name: "telehub_live_pending_entries",
    help: "Telemetry values and events waiting in the hub for live connections (at most one per metric and device per connection)",
    registers: [this.registry],
    collect: (): void => this.livePendingEntries.set(this.liveBacklog().pendingEntries),
  });
  /** The metric catalogue's size, set by the hub; read when metrics are scraped. */
  metricSeries: () => number = () => 0;
  readonly metricSeriesHeld: Gauge = new Gauge({
    name: "telehub_metric_series",
    help: "Distinct (device, metric) series in the hub's metric catalogue (at most ingest.maxSeries)",
    registers: [this.registry],
    collect: (): void => this.metricSeriesHeld.set(this.metricSeries()),
  });
  readonly liveCoalesced = new Counter({
    name: "telehub_live_coalesced_total",
    help: "Telemetry values replaced by a newer one before a slow live connection received them",
    registers: [this.registry],
  });
  readonly clusterNoticesDropped = new Counter({
    name: "telehub_cluster_notices_dropped_total",
    help: "Cluster mode: events and live news for the other instances dropped while NATS was away (cluster.natsOfflineBufferBytes full), by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  /** The active alarms in numbers, set by the alarm engine; read when metrics are scraped. */
  alarmCounts: () => { bySeverity: Record<string, number>; unacknowledged: number } = () => ({ bySeverity: {}, unacknowledged: 0 });
  readonly alarmsOpen: Gauge<"severity"> = new Gauge({
    name: "telehub_alarms_open",
    help: "Active alarms, by severity",
    labelNames: ["severity"] as const,
    registers: [this.registry],
    collect: (): void => {
      for (const [severity, count] of Object.entries(this.alarmCounts().bySeverity)) this.alarmsOpen.set({ severity }, count);
    },
  });
  readonly alarmsUnacknowledged: Gauge = new Gauge({
    name: "telehub_alarms_unacknowledged",
    help: "Active alarms nobody has acknowledged",
    registers: [this.registry],
    collect: (): void => this.alarmsUnacknowledged.set(this.alarmCounts().unacknowledged),
  });
  readonly alarmEvaluationLag = new Histogram({
    name: "telehub_alarm_evaluation_lag_seconds",
    help: "From a batch's readings being durable (and acknowledged) to their evaluation by the alarm rules",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly alarmTransitions = new Counter({
    name: "telehub_alarm_transitions_total",
    help: "Alarm steps stored, by kind (raised, escalated, deescalated, cleared, acknowledged)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly notificationDeliveries = new Counter({
    name: "telehub_notification_deliveries_total",
    help: "Attempts to send alarm notifications, by channel kind and outcome (delivered, retry: failed and tried again later, failed: failed for good)",
    labelNames: ["kind", "outcome"] as const,
    registers: [this.registry],
  });
  readonly notificationPending = new Gauge({
    name: "telehub_notification_pending",
    help: "Alarm notifications waiting to be sent or retried",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "telehub_" });
  }
}
