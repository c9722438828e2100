import { influxdAvailable } from "@telehub/hub/influxd";
import { fmt } from "../output/format.js";
import { alarms } from "./alarms-scenario.js";
import { cluster } from "./cluster-scenario.js";
import { runCommandRoundTrip } from "./command-scenario.js";
import { measureBareConnections, measureHubConnections } from "./connections-scenario.js";
import { measureHubFanIn } from "./fanin-scenario.js";
import { compareFanOut } from "./fanout-comparison.js";
import { http } from "./http-scenario.js";
import { type InfluxIngestResult, runInfluxIngest } from "./influx-scenario.js";
import { runIngest } from "./ingest-scenario.js";
import { runAckLatency } from "./latency-scenario.js";
import { compareLiveLatency } from "./live-comparison.js";
import { mosquittoBinary } from "./mosquitto-process.js";
import { measureMqttFanIn } from "./mqtt-fanin.js";
import { openFileLimit } from "./open-files.js";
import { progress } from "./progress.js";
import type { BenchSettings } from "./settings.js";
import type { Row } from "./table.js";
import { measureTransport } from "./transport-baseline.js";

/** What one scenario measured: raw figures for `--json` and rows for the table. */
export interface ScenarioResult {
  json: Record<string, unknown>;
  rows: Row[];
}

/** One scenario of `npm run bench`, selectable with `--only NAME`. */
export interface Scenario {
  name: string;
  run(settings: BenchSettings): Promise<ScenarioResult>;
}

const ratio = (a: number, b: number): string => fmt(a / b, 3);
const mib = (bytes: number): string => `${fmt(bytes / 1_048_576, 1)} MiB`;
const kib = (bytes: number): string => `${fmt(bytes / 1024, 1)} KiB`;
const ms = (p50: number, p99: number): string => `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`;

const ingest: Scenario = {
  name: "ingest",
  async run(s) {
    progress(
      `transport baseline: ${s.ingestDevices} sockets × ${s.batchesPerDevice} frames of ${s.readingsPerBatch} readings to a counting ws server`,
    );
    const transport = await measureTransport(s.ingestDevices, s.batchesPerDevice, s.readingsPerBatch);
    progress(
      `ingest: ${s.ingestDevices} clients × ${s.batchesPerDevice} batches of ${s.readingsPerBatch} readings into the embedded store`,
    );
    const hub = await runIngest(s.ingestDevices, s.batchesPerDevice, s.readingsPerBatch);
    return {
      json: { transport, ingest: hub },
      rows: [
        [
          "ingest: durable readings/s",
          fmt(hub.readingsPerSecond),
          `${fmt(transport.readingsPerSecond)} (bare ws, counted only)`,
          ratio(hub.readingsPerSecond, transport.readingsPerSecond),
        ],
        [
          "ingest: frames/s",
          fmt(hub.framesPerSecond),
          fmt(transport.framesPerSecond),
          ratio(hub.framesPerSecond, transport.framesPerSecond),
        ],
        ["ingest: ack latency p50 / p99", ms(hub.ackP50Ms, hub.ackP99Ms), "", ""],
        [
          "ingest: hub CPU / peak RSS",
          `${fmt(hub.hubCpuPercent)} % / ${mib(hub.hubPeakRssBytes)}`,
          `${fmt(transport.serverCpuPercent)} % / ${mib(transport.serverPeakRssBytes)}`,
          "",
        ],
        ["ingest: readings stored / sent", `${fmt(hub.storedReadings)} / ${fmt(hub.readings)}`, "", ""],
      ],
    };
  },
};

const latency: Scenario = {
  name: "latency",
  async run(s) {
    progress(`ack latency: ${s.latencyDevices} clients × 1 batch/s for ${s.latencySeconds} s`);
    const result = await runAckLatency(s.latencyDevices, s.latencySeconds, 10);
    return {
      json: { latency: result },
      rows: [
        [
          `steady ${s.latencyDevices} devices × 1 batch/s: ack p50 / p99`,
          ms(result.ackP50Ms, result.ackP99Ms),
          "target p99 < 50 ms",
          ratio(result.ackP99Ms, 50),
        ],
        ["steady: hub CPU / peak RSS", `${fmt(result.hubCpuPercent)} % / ${mib(result.hubPeakRssBytes)}`, "", ""],
      ],
    };
  },
};

const connections: Scenario = {
  name: "connections",
  async run(s) {
    const files = openFileLimit();
    const idle = Math.min(s.idleDevices, files.soft - 1_000);
    progress(`connections: ${idle} idle sockets to a bare ws server, then ${idle} idle devices on the hub (open files: ${files.soft})`);
    const settleMs = s.quick ? 200 : 2_000;
    const bare = await measureBareConnections(idle, settleMs);
    const hub = await measureHubConnections(idle, settleMs);
    return {
      json: { connections: { bare, hub } },
      rows: [
        [
          `connections: memory per idle device (${fmt(hub.connections)})`,
          kib(hub.bytesPerConnection),
          `${kib(bare.bytesPerConnection)} (bare ws; target ≤ 2×)`,
          ratio(hub.bytesPerConnection, bare.bytesPerConnection),
        ],
        ["connections: server RSS with all connected", mib(hub.rssBytes), mib(bare.rssBytes), ""],
      ],
    };
  },
};

const fanIn: Scenario = {
  name: "fanin",
  async run(s) {
    progress(`fan-in: ${s.fanInDevices} devices × ${s.fanInFrames} single-reading frames: bare ws, hub, Mosquitto QoS 1`);
    const bare = await measureTransport(s.fanInDevices, s.fanInFrames, 1);
    progress("fan-in: hub");
    const hub = await measureHubFanIn(s.fanInDevices, s.fanInFrames);
    progress("fan-in: Mosquitto");
    const mosquitto = mosquittoBinary();
    const mqtt = mosquitto ? await measureMqttFanIn(mosquitto, s.fanInDevices, s.fanInFrames) : undefined;
    const vsMosquitto: Row = mqtt
      ? [
          "fan-in: vs Mosquitto QoS 1 to one subscriber",
          `${fmt(hub.framesPerSecond)} (durable)`,
          `${fmt(mqtt.messagesPerSecond)} (delivered)`,
          ratio(hub.framesPerSecond, mqtt.messagesPerSecond),
        ]
      : [
          "fan-in: vs Mosquitto QoS 1 to one subscriber",
          fmt(hub.framesPerSecond),
          "mosquitto not installed (apt-get install mosquitto)",
          "",
        ];
    return {
      json: { fanIn: { bare, hub, mosquitto: mqtt ?? null } },
      rows: [
        [
          `fan-in: ${s.fanInDevices} devices, 1-reading frames/s`,
          `${fmt(hub.framesPerSecond)} (durable)`,
          `${fmt(bare.framesPerSecond)} (bare ws, counted only)`,
          ratio(hub.framesPerSecond, bare.framesPerSecond),
        ],
        vsMosquitto,
        ["fan-in: hub CPU / Mosquitto CPU", `${fmt(hub.hubCpuPercent)} %`, mqtt ? `${fmt(mqtt.brokerCpuPercent)} %` : "", ""],
      ],
    };
  },
};

const live: Scenario = {
  name: "live",
  async run(s) {
    progress(
      `live latency: ${s.liveDevices} devices × 1 reading/s to a live dashboard client, through the hub, a bare Node relay ` +
        `and Mosquitto, ${s.liveRounds} rotating rounds of ${s.liveWarmUpSeconds} s warm-up + ${s.liveSeconds} s each`,
    );
    const load = { devices: s.liveDevices, seconds: s.liveSeconds, warmUpSeconds: s.liveWarmUpSeconds };
    const { hub, nodeRelay: relay, mosquitto: mqtt } = await compareLiveLatency(load, s.liveRounds, mosquittoBinary());
    const rounds = (p99s: number[]): string => p99s.map((p99) => fmt(p99, 2)).join(", ");
    return {
      json: { live: { hub, nodeRelay: relay, mosquitto: mqtt ?? null } },
      rows: [
        [
          `live: ${s.liveDevices} devices × 1/s → dashboard p50 / p99`,
          ms(hub.p50Ms, hub.p99Ms),
          `${ms(relay.p50Ms, relay.p99Ms)} (Node floor: decode, ack, forward; target hub p99 ≤ 1.2×)`,
          ratio(hub.p99Ms, relay.p99Ms),
        ],
        mqtt
          ? [
              "live: the hub against Mosquitto QoS 1 (the anchor)",
              ms(hub.p50Ms, hub.p99Ms),
              ms(mqtt.p50Ms, mqtt.p99Ms),
              ratio(hub.p99Ms, mqtt.p99Ms),
            ]
          : ["live: the hub against Mosquitto QoS 1 (the anchor)", ms(hub.p50Ms, hub.p99Ms), "mosquitto not installed", ""],
        ["live: p99 of each round, hub / Node floor", rounds(hub.roundP99Ms), rounds(relay.roundP99Ms), ""],
        [
          "live: Node floor against Mosquitto p50 / p99",
          ms(relay.p50Ms, relay.p99Ms),
          mqtt ? `${ms(mqtt.p50Ms, mqtt.p99Ms)} (Mosquitto; p99 of each round ${rounds(mqtt.roundP99Ms)})` : "",
          mqtt ? ratio(relay.p99Ms, mqtt.p99Ms) : "",
        ],
        [
          "live: readings received / sent, hub / Mosquitto",
          `${fmt(hub.received)} / ${fmt(hub.sent)}`,
          mqtt ? `${fmt(mqtt.received)} / ${fmt(mqtt.sent)}` : "",
          "",
        ],
      ],
    };
  },
};

const fanOut: Scenario = {
  name: "fanout",
  async run(s) {
    progress(
      `live fan-out: ${s.fanOutDevices} devices × 1 reading/s to ${s.fanOutSubscribers} dashboard clients (a process each), ` +
        `hub and Mosquitto alternating, ${s.fanOutRounds} rounds of ${s.fanOutWarmUpSeconds} s warm-up + ${s.fanOutSeconds} s each`,
    );
    const load = {
      devices: s.fanOutDevices,
      subscribers: s.fanOutSubscribers,
      seconds: s.fanOutSeconds,
      warmUpSeconds: s.fanOutWarmUpSeconds,
    };
    const { hub, mosquitto: mqtt } = await compareFanOut(load, s.fanOutRounds, mosquittoBinary());
    const what = `fan-out: ${s.fanOutDevices} devices × 1/s → ${s.fanOutSubscribers} dashboards p50 / p99`;
    return {
      json: { fanOut: { hub, mosquitto: mqtt ?? null } },
      rows: [
        mqtt
          ? [
              what,
              ms(hub.p50Ms, hub.p99Ms),
              `${ms(mqtt.p50Ms, mqtt.p99Ms)} (Mosquitto, ${s.fanOutSubscribers} QoS 1 subscribers; target hub p99 ≤ 1×)`,
              ratio(hub.p99Ms, mqtt.p99Ms),
            ]
          : [what, ms(hub.p50Ms, hub.p99Ms), "mosquitto not installed", ""],
        [
          "fan-out: p99 of each round",
          hub.roundP99Ms.map((p99) => fmt(p99, 2)).join(", "),
          mqtt ? mqtt.roundP99Ms.map((p99) => fmt(p99, 2)).join(", ") : "",
          "",
        ],
        [
          "fan-out: hub CPU / Mosquitto CPU (median of rounds)",
          `${fmt(hub.cpuPercent)} %`,
          mqtt ? `${fmt(mqtt.cpuPercent)} %` : "",
          mqtt ? ratio(hub.cpuPercent, mqtt.cpuPercent) : "",
        ],
        [
          "fan-out: messages a dashboard received a second (readings: one per device a second)",
          fmt(hub.messagesPerSecond),
          mqtt ? fmt(mqtt.messagesPerSecond) : "",
          "",
        ],
        [
          `fan-out: the ${s.fanOutSubscribers} receiving processes' CPU, together`,
          `${fmt(hub.receiversCpuPercent)} %`,
          mqtt ? `${fmt(mqtt.receiversCpuPercent)} %` : "",
          "",
        ],
        [
          "fan-out: deliveries timed / readings sent × dashboards",
          `${fmt(hub.received)} / ${fmt(hub.sent * hub.subscribers)}`,
          mqtt ? `${fmt(mqtt.received)} / ${fmt(mqtt.sent * mqtt.subscribers)}` : "",
          "",
        ],
      ],
    };
  },
};

const commands: Scenario = {
  name: "commands",
  async run(s) {
    progress(`command round trip: ${s.commands} commands to ${s.commandDevices} connected devices, 4 at a time`);
    const result = await runCommandRoundTrip(s.commandDevices, s.commands, 4);
    return {
      json: { commands: result },
      rows: [
        [
          `command round trip (${fmt(result.succeeded)} of ${fmt(result.commands)} succeeded) p50 / p99`,
          ms(result.p50Ms, result.p99Ms),
          "target p99 < 25 ms",
          ratio(result.p99Ms, 25),
        ],
      ],
    };
  },
};

const influx: Scenario = {
  name: "influx",
  async run(s) {
    const { devices, batchesPerDevice, readingsPerBatch } = s.influx;
    progress(
      `InfluxDB: ${devices} clients × ${batchesPerDevice} batches of ${readingsPerBatch} readings: direct line protocol, through the hub, drain after an outage`,
    );
    const result = influxdAvailable() ? await runInfluxIngest(devices, batchesPerDevice, readingsPerBatch) : undefined;
    return { json: { influx: result ?? null }, rows: influxRows(result) };
  },
};

/** The InfluxDB rows, or one row saying why the scenario did not run. */
function influxRows(result: InfluxIngestResult | undefined): Row[] {
  if (!result) return [["ingest into InfluxDB", "not run: influxd is not installed (Debian package influxdb)", "", ""]];
  return [
    [
      "ingest into InfluxDB: acknowledged readings/s",
      fmt(result.hubReadingsPerSecond),
      `${fmt(result.baselineReadingsPerSecond)} (line protocol straight to influxd ${result.influxdVersion}; target ≥ 75 %)`,
      ratio(result.hubReadingsPerSecond, result.baselineReadingsPerSecond),
    ],
    [
      "ingest into InfluxDB: into InfluxDB / spool drain after an outage, readings/s",
      `${fmt(result.hubIntoInfluxReadingsPerSecond)} / ${fmt(result.drainReadingsPerSecond)}`,
      "",
      "",
    ],
  ];
}

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [ingest, latency, connections, fanIn, live, fanOut, commands, influx, alarms, http, cluster];
