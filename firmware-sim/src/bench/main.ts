#!/usr/bin/env node
/**
 * `npm run bench`: every scenario, each figure beside a baseline measured in the same run.
 * `--quick` runs a tiny configuration (seconds) so CI keeps the harness from rotting;
 * `--json` prints the measurements instead of the table.
 */
import { cpus, totalmem } from "node:os";
import { influxdAvailable } from "@telehub/hub/influxd";
import { fmt } from "../output/format.js";
import { runCommandRoundTrip } from "./command-scenario.js";
import { measureBareConnections, measureHubConnections } from "./connections-scenario.js";
import { measureHubFanIn } from "./fanin-scenario.js";
import { type InfluxIngestResult, runInfluxIngest } from "./influx-scenario.js";
import { runIngest } from "./ingest-scenario.js";
import { runAckLatency } from "./latency-scenario.js";
import { measureLiveLatency } from "./live-scenario.js";
import { mosquittoBinary } from "./mosquitto-process.js";
import { measureMqttFanIn } from "./mqtt-fanin.js";
import { measureMqttLiveLatency } from "./mqtt-live.js";
import { ensureOpenFileLimit, openFileLimit } from "./open-files.js";
import { type Row, renderTable } from "./table.js";
import { measureTransport } from "./transport-baseline.js";

const quick = process.argv.includes("--quick");
const json = process.argv.includes("--json");
const settings = quick
  ? {
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
      commandDevices: 5,
      commands: 20,
      influx: { devices: 5, batchesPerDevice: 5, readingsPerBatch: 20 },
    }
  : {
      ingestDevices: 100,
      batchesPerDevice: 200,
      readingsPerBatch: 50,
      latencyDevices: 1_000,
      latencySeconds: 15,
      idleDevices: 10_000,
      fanInDevices: 100,
      fanInFrames: 1_000,
      liveDevices: 1_000,
      liveSeconds: 15,
      commandDevices: 1_000,
      commands: 1_000,
      influx: { devices: 50, batchesPerDevice: 100, readingsPerBatch: 100 },
    };

// 10,000 client sockets here, 10,000 in the server under test, plus files and pipes.
ensureOpenFileLimit(settings.idleDevices + 1_000);

const ratio = (a: number, b: number): string => fmt(a / b, 3);
const mib = (bytes: number): string => `${fmt(bytes / 1_048_576, 1)} MiB`;
const kib = (bytes: number): string => `${fmt(bytes / 1024, 1)} KiB`;

const benchStartedAt = performance.now();

function progress(message: string): void {
  process.stderr.write(`bench ${fmt((performance.now() - benchStartedAt) / 1000, 0).padStart(4)} s: ${message}\n`);
}

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`;
  const s = settings;
  const files = openFileLimit();
  const idle = Math.min(s.idleDevices, files.soft - 1_000);

  progress(
    `transport baseline: ${s.ingestDevices} sockets × ${s.batchesPerDevice} frames of ${s.readingsPerBatch} readings to a counting ws server`,
  );
  const transport = await measureTransport(s.ingestDevices, s.batchesPerDevice, s.readingsPerBatch);
  progress(`ingest: ${s.ingestDevices} clients × ${s.batchesPerDevice} batches of ${s.readingsPerBatch} readings into the embedded store`);
  const ingest = await runIngest(s.ingestDevices, s.batchesPerDevice, s.readingsPerBatch);
  progress(`ack latency: ${s.latencyDevices} clients × 1 batch/s for ${s.latencySeconds} s`);
  const latency = await runAckLatency(s.latencyDevices, s.latencySeconds, 10);
  progress(`connections: ${idle} idle sockets to a bare ws server, then ${idle} idle devices on the hub (open files: ${files.soft})`);
  const settleMs = quick ? 200 : 2_000;
  const bareIdle = await measureBareConnections(idle, settleMs);
  const hubIdle = await measureHubConnections(idle, settleMs);
  progress(`fan-in: ${s.fanInDevices} devices × ${s.fanInFrames} single-reading frames: bare ws, hub, Mosquitto QoS 1`);
  const bareFanIn = await measureTransport(s.fanInDevices, s.fanInFrames, 1);
  progress("fan-in: hub");
  const hubFanIn = await measureHubFanIn(s.fanInDevices, s.fanInFrames);
  progress("fan-in: Mosquitto");
  const mosquitto = mosquittoBinary();
  const mqttFanIn = mosquitto ? await measureMqttFanIn(mosquitto, s.fanInDevices, s.fanInFrames) : undefined;

  progress(
    `live latency: ${s.liveDevices} devices × 1 reading/s for ${s.liveSeconds} s to a live dashboard client, then to a Mosquitto subscriber`,
  );
  const live = await measureLiveLatency(s.liveDevices, s.liveSeconds);
  const mqttLive = mosquitto ? await measureMqttLiveLatency(mosquitto, s.liveDevices, s.liveSeconds) : undefined;
  progress(`command round trip: ${s.commands} commands to ${s.commandDevices} connected devices, 4 at a time`);
  const commands = await runCommandRoundTrip(s.commandDevices, s.commands, 4);
  const { devices: influxDevices, batchesPerDevice: influxBatches, readingsPerBatch: influxReadings } = s.influx;
  progress(
    `InfluxDB: ${influxDevices} clients × ${influxBatches} batches of ${influxReadings} readings: direct line protocol, through the hub, drain after an outage`,
  );
  const influx = influxdAvailable() ? await runInfluxIngest(influxDevices, influxBatches, influxReadings) : undefined;
  progress("done");
  if (json) {
    const measured = {
      transport,
      ingest,
      latency,
      connections: { bare: bareIdle, hub: hubIdle },
      fanIn: { bare: bareFanIn, hub: hubFanIn, mosquitto: mqttFanIn ?? null },
      live: { hub: live, mosquitto: mqttLive ?? null },
      commands,
      influx: influx ?? null,
    };
    process.stdout.write(`${JSON.stringify({ machine, quick, settings, openFiles: files, ...measured }, null, 2)}\n`);
    return;
  }
  const rows: Row[] = [
    [
      "ingest: durable readings/s",
      fmt(ingest.readingsPerSecond),
      `${fmt(transport.readingsPerSecond)} (bare ws, counted only)`,
      ratio(ingest.readingsPerSecond, transport.readingsPerSecond),
    ],
    [
      "ingest: frames/s",
      fmt(ingest.framesPerSecond),
      fmt(transport.framesPerSecond),
      ratio(ingest.framesPerSecond, transport.framesPerSecond),
    ],
    ["ingest: ack latency p50 / p99", `${fmt(ingest.ackP50Ms, 1)} / ${fmt(ingest.ackP99Ms, 1)} ms`, "", ""],
    [
      "ingest: hub CPU / peak RSS",
      `${fmt(ingest.hubCpuPercent)} % / ${mib(ingest.hubPeakRssBytes)}`,
      `${fmt(transport.serverCpuPercent)} % / ${mib(transport.serverPeakRssBytes)}`,
      "",
    ],
    ["ingest: readings stored / sent", `${fmt(ingest.storedReadings)} / ${fmt(ingest.readings)}`, "", ""],
    [
      `steady ${s.latencyDevices} devices × 1 batch/s: ack p50 / p99`,
      `${fmt(latency.ackP50Ms, 1)} / ${fmt(latency.ackP99Ms, 1)} ms`,
      "target p99 < 50 ms",
      ratio(latency.ackP99Ms, 50),
    ],
    ["steady: hub CPU / peak RSS", `${fmt(latency.hubCpuPercent)} % / ${mib(latency.hubPeakRssBytes)}`, "", ""],
    [
      `connections: memory per idle device (${fmt(hubIdle.connections)})`,
      kib(hubIdle.bytesPerConnection),
      `${kib(bareIdle.bytesPerConnection)} (bare ws; target ≤ 2×)`,
      ratio(hubIdle.bytesPerConnection, bareIdle.bytesPerConnection),
    ],
    ["connections: server RSS with all connected", mib(hubIdle.rssBytes), mib(bareIdle.rssBytes), ""],
    [
      `fan-in: ${s.fanInDevices} devices, 1-reading frames/s`,
      `${fmt(hubFanIn.framesPerSecond)} (durable)`,
      `${fmt(bareFanIn.framesPerSecond)} (bare ws, counted only)`,
      ratio(hubFanIn.framesPerSecond, bareFanIn.framesPerSecond),
    ],
    mqttFanIn
      ? [
          "fan-in: vs Mosquitto QoS 1 to one subscriber",
          `${fmt(hubFanIn.framesPerSecond)} (durable)`,
          `${fmt(mqttFanIn.messagesPerSecond)} (delivered)`,
          ratio(hubFanIn.framesPerSecond, mqttFanIn.messagesPerSecond),
        ]
      : [
          "fan-in: vs Mosquitto QoS 1 to one subscriber",
          fmt(hubFanIn.framesPerSecond),
          "mosquitto not installed (apt-get install mosquitto)",
          "",
        ],
    ["fan-in: hub CPU / Mosquitto CPU", `${fmt(hubFanIn.hubCpuPercent)} %`, mqttFanIn ? `${fmt(mqttFanIn.brokerCpuPercent)} %` : "", ""],
    mqttLive
      ? [
          `live: ${s.liveDevices} devices × 1/s → dashboard p50 / p99`,
          `${fmt(live.p50Ms, 1)} / ${fmt(live.p99Ms, 1)} ms`,
          `${fmt(mqttLive.p50Ms, 1)} / ${fmt(mqttLive.p99Ms, 1)} ms (Mosquitto QoS 1; target hub p99 ≤ 1.5×)`,
          ratio(live.p99Ms, mqttLive.p99Ms),
        ]
      : [
          `live: ${s.liveDevices} devices × 1/s → dashboard p50 / p99`,
          `${fmt(live.p50Ms, 1)} / ${fmt(live.p99Ms, 1)} ms`,
          "mosquitto not installed",
          "",
        ],
    [
      "live: readings received / sent",
      `${fmt(live.received)} / ${fmt(live.sent)}`,
      mqttLive ? `${fmt(mqttLive.received)} / ${fmt(mqttLive.sent)}` : "",
      "",
    ],
    [
      `command round trip (${fmt(commands.succeeded)} of ${fmt(commands.commands)} succeeded) p50 / p99`,
      `${fmt(commands.p50Ms, 1)} / ${fmt(commands.p99Ms, 1)} ms`,
      "target p99 < 25 ms",
      ratio(commands.p99Ms, 25),
    ],
    ...influxRows(influx),
  ];
  process.stdout.write(`\nTelehub benchmarks${quick ? " (quick)" : ""} on ${machine}\n\n${renderTable(rows)}\n`);
}

/** The InfluxDB rows, or one row saying why the scenario did not run. */
function influxRows(influx: InfluxIngestResult | undefined): Row[] {
  if (!influx) return [["ingest into InfluxDB", "not run: influxd is not installed (Debian package influxdb)", "", ""]];
  return [
    [
      "ingest into InfluxDB: acknowledged readings/s",
      fmt(influx.hubReadingsPerSecond),
      `${fmt(influx.baselineReadingsPerSecond)} (line protocol straight to influxd ${influx.influxdVersion}; target ≥ 70 %)`,
      ratio(influx.hubReadingsPerSecond, influx.baselineReadingsPerSecond),
    ],
    [
      "ingest into InfluxDB: into InfluxDB / spool drain after an outage, readings/s",
      `${fmt(influx.hubIntoInfluxReadingsPerSecond)} / ${fmt(influx.drainReadingsPerSecond)}`,
      "",
      "",
    ],
  ];
}

await main();
