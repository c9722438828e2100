/** How big each scenario runs: the full figures, or a tiny run (seconds) that keeps the harness from rotting. */
export interface BenchSettings {
  quick: boolean;
  ingestDevices: number;
  batchesPerDevice: number;
  readingsPerBatch: number;
  latencyDevices: number;
  latencySeconds: number;
  idleDevices: number;
  fanInDevices: number;
  fanInFrames: number;
  liveDevices: number;
  /** Measured seconds of each live round. */
  liveSeconds: number;
  /** Seconds of live traffic before the measured `liveSeconds`, for every side alike. */
  liveWarmUpSeconds: number;
  /** Rounds of the live scenario, the hub, the Node relay and Mosquitto rotating. */
  liveRounds: number;
  /** Devices of the fan-out scenario, each sending one reading a second. */
  fanOutDevices: number;
  /** Live dashboard clients of the fan-out scenario, each subscribed to every device, each in a process of its own. */
  fanOutSubscribers: number;
  /** Measured seconds of each fan-out round. */
  fanOutSeconds: number;
  /** Seconds of fan-out traffic before the measured `fanOutSeconds`, for both sides alike. */
  fanOutWarmUpSeconds: number;
  /** Rounds of the fan-out scenario, the hub and Mosquitto alternating. */
  fanOutRounds: number;
  commandDevices: number;
  commands: number;
  influx: { devices: number; batchesPerDevice: number; readingsPerBatch: number };
  /** The alarm scenario (`alarms-*.ts`); its ingest rounds use the ingest scenario's devices and batches. */
  alarms: AlarmBenchSettings;
  /** The HTTP transport scenario (`http-*.ts`); its ingest rounds use the ingest scenario's devices and batches. */
  http: HttpBenchSettings;
}

/** How big the HTTP transport scenario runs. */
export interface HttpBenchSettings {
  /** Ingest rounds over HTTP and as many over WebSocket, alternating; medians compared. */
  ingestRounds: number;
  /** Devices of the command round trip, each holding a long poll (or a WebSocket). */
  commandDevices: number;
  /** Commands counted in each command round, sent 4 at a time. */
  commands: number;
  /** Commands sent before the counted ones in each round, not counted. */
  warmUpCommands: number;
  /** Command rounds a side, HTTP and WebSocket alternating, each against a fresh hub; latencies pooled. */
  commandRounds: number;
  /** `?wait=` of the polling devices, ms. */
  pollWaitMs: number;
}

/** How big the alarm scenario runs. */
export interface AlarmBenchSettings {
  /** Ingest slices per side, the hub with the rules and the one without taking turns (one more each warms up). */
  ingestSlices: number;
  /** Batches each device sends per slice (of the ingest scenario's `readingsPerBatch`). */
  ingestSliceBatches: number;
  /** Devices of the latency rounds, each sending one reading a second. */
  latencyDevices: number;
  /** Measured seconds of each latency round. */
  latencySeconds: number;
  /** Seconds of traffic before the measured `latencySeconds`. */
  latencyWarmUpSeconds: number;
  /** Latency rounds, each against a fresh hub, pooled. */
  latencyRounds: number;
  /** Devices that go offline at once in the storm. */
  stormDevices: number;
  /** The storm rule's `afterMs`. */
  offlineAfterMs: number;
  /** The storm channel's rate limit: `count` messages per `windowMs`, the rest in one digest. */
  rateLimit: { count: number; windowMs: number };
  /** The benchmark hubs' `alarms.tickMs` and `alarms.lateGraceMs` (the defaults in a full run). */
  tickMs: number;
  lateGraceMs: number;
}

/** The ingest load: `devices` clients, each `batchesPerDevice` batches of `readingsPerBatch` readings. */
export interface IngestLoad {
  devices: number;
  batchesPerDevice: number;
  readingsPerBatch: number;
}

/** The ingest scenario's load (its devices and batches), which the alarm and HTTP scenarios' ingest rounds run too. */
export function ingestLoad(s: BenchSettings): IngestLoad {
  return { devices: s.ingestDevices, batchesPerDevice: s.batchesPerDevice, readingsPerBatch: s.readingsPerBatch };
}

/** The settings for a full run (`npm run bench`) or a quick one (`--quick`). */
export function benchSettings(quick: boolean): BenchSettings {
  return quick
    ? {
        quick,
        ingestDevices: 10,
        batchesPerDevice: 10,
        readingsPerBatch: 50,
        latencyDevices: 20,
        latencySeconds: 2,
        idleDevices: 200,
        fanInDevices: 10,
        fanInFrames: 50,
        liveDevices: 20,
        liveSeconds: 2,
        liveWarmUpSeconds: 1,
        liveRounds: 1,
        fanOutDevices: 20,
        fanOutSubscribers: 3,
        fanOutSeconds: 2,
        fanOutWarmUpSeconds: 1,
        fanOutRounds: 1,
        commandDevices: 5,
        commands: 20,
        influx: { devices: 5, batchesPerDevice: 5, readingsPerBatch: 20 },
        alarms: {
          ingestSlices: 2,
          ingestSliceBatches: 2,
          latencyDevices: 20,
          latencySeconds: 2,
          latencyWarmUpSeconds: 1,
          latencyRounds: 1,
          stormDevices: 20,
          offlineAfterMs: 200,
          rateLimit: { count: 5, windowMs: 1_000 },
          tickMs: 100,
          lateGraceMs: 100,
        },
        http: { ingestRounds: 1, commandDevices: 5, commands: 20, warmUpCommands: 5, commandRounds: 1, pollWaitMs: 25_000 },
      }
    : {
        quick,
        ingestDevices: 100,
        batchesPerDevice: 200,
        readingsPerBatch: 50,
        latencyDevices: 1_000,
        latencySeconds: 15,
        idleDevices: 10_000,
        fanInDevices: 100,
        fanInFrames: 1_000,
        liveDevices: 1_000,
        liveSeconds: 10,
        liveWarmUpSeconds: 2,
        liveRounds: 3,
        fanOutDevices: 1_000,
        fanOutSubscribers: 50,
        fanOutSeconds: 6,
        fanOutWarmUpSeconds: 2,
        fanOutRounds: 3,
        commandDevices: 1_000,
        commands: 1_000,
        influx: { devices: 50, batchesPerDevice: 100, readingsPerBatch: 100 },
        alarms: {
          ingestSlices: 20,
          ingestSliceBatches: 20,
          latencyDevices: 1_000,
          latencySeconds: 10,
          latencyWarmUpSeconds: 2,
          latencyRounds: 3,
          stormDevices: 1_000,
          offlineAfterMs: 5_000,
          rateLimit: { count: 10, windowMs: 10_000 },
          tickMs: 1_000,
          lateGraceMs: 2_000,
        },
        http: { ingestRounds: 3, commandDevices: 1_000, commands: 1_000, warmUpCommands: 100, commandRounds: 3, pollWaitMs: 25_000 },
      };
}
