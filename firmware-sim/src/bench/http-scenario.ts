import { fmt } from "../output/format.js";
import { compareCommandRoundTrip, HTTP_COMMAND_TARGET_MS, type HttpCommandComparison } from "./http-commands.js";
import { compareTransportIngest, type TransportIngestComparison, type TransportIngestSide } from "./http-ingest.js";
import { progress } from "./progress.js";
import type { Scenario } from "./scenarios.js";
import { ingestLoad } from "./settings.js";
import type { Row } from "./table.js";

const ms = (p50: number, p99: number): string => `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`;
const ratio = (a: number, b: number): string => fmt(a / b, 3);
const mib = (bytes: number): string => `${fmt(bytes / 1_048_576, 1)} MiB`;

/**
 * The HTTP device transport (issue #20): the ingest scenario over HTTP against the same load over
 * WebSocket, and the command round trip to long-polling devices against WebSocket devices.
 */
export const http: Scenario = {
  name: "http",
  async run(s) {
    const h = s.http;
    const load = ingestLoad(s);
    progress(
      `http, ingest: ${load.devices} devices × ${load.batchesPerDevice} batches of ${load.readingsPerBatch} readings, ` +
        `the Node client over HTTP and over WebSocket, and bare HTTP devices, ${h.ingestRounds} rotating rounds each`,
    );
    const ingest = await compareTransportIngest(load, h.ingestRounds);
    progress(
      `http, commands: ${h.commands} commands (after ${h.warmUpCommands} not counted) to ${h.commandDevices} long-polling devices ` +
        `and to as many WebSocket devices, 4 at a time, ${h.commandRounds} alternating rounds each`,
    );
    const commands = await compareCommandRoundTrip(
      { devices: h.commandDevices, commands: h.commands, warmUpCommands: h.warmUpCommands, concurrency: 4, pollWaitMs: h.pollWaitMs },
      h.commandRounds,
    );
    return { json: { http: { ingest, commands } }, rows: [...ingestRows(ingest), ...commandRows(commands)] };
  },
};

function ingestRows(r: TransportIngestComparison): Row[] {
  const rounds = (values: number[]): string => values.map((v) => fmt(v)).join(", ");
  const cpu = (side: TransportIngestSide): string => `${fmt(side.hubCpuPercent)} % / ${mib(side.hubPeakRssBytes)}`;
  const stored = (side: TransportIngestSide): string => `${fmt(side.storedReadings)} / ${fmt(r.readings)}`;
  const batches = r.devices * r.batchesPerDevice;
  return [
    [
      `http: ingest, Node client over HTTP, durable readings/s (median of ${r.rounds})`,
      fmt(r.http.readingsPerSecond),
      `${fmt(r.ws.readingsPerSecond)} (the Node client over WebSocket, the same load)`,
      ratio(r.http.readingsPerSecond, r.ws.readingsPerSecond),
    ],
    [
      `http: ingest, bare HTTP devices (${r.batchesPerRequest} batches a request, one request at a time), readings/s`,
      fmt(r.bareHttp.readingsPerSecond),
      fmt(r.ws.readingsPerSecond),
      ratio(r.bareHttp.readingsPerSecond, r.ws.readingsPerSecond),
    ],
    [
      "http: ingest readings/s of each round, HTTP client, bare HTTP / WebSocket",
      `${rounds(r.http.roundReadingsPerSecond)}; ${rounds(r.bareHttp.roundReadingsPerSecond)}`,
      rounds(r.ws.roundReadingsPerSecond),
      "",
    ],
    [
      "http: ingest ack latency p50 / p99, HTTP client, bare HTTP / WebSocket",
      `${ms(r.http.ackP50Ms, r.http.ackP99Ms)}; ${ms(r.bareHttp.ackP50Ms, r.bareHttp.ackP99Ms)}`,
      ms(r.ws.ackP50Ms, r.ws.ackP99Ms),
      "",
    ],
    [
      "http: ingest requests answered per batch (median round), HTTP client / bare HTTP",
      fmt((r.http.requests ?? Number.NaN) / batches, 2),
      fmt((r.bareHttp.requests ?? Number.NaN) / batches, 2),
      "",
    ],
    ["http: ingest hub CPU / peak RSS, HTTP client, bare HTTP / WebSocket", `${cpu(r.http)}; ${cpu(r.bareHttp)}`, cpu(r.ws), ""],
    [
      "http: ingest readings stored / sent (median round), HTTP client, bare HTTP / WebSocket",
      `${stored(r.http)}; ${stored(r.bareHttp)}`,
      stored(r.ws),
      "",
    ],
  ];
}

function commandRows(r: HttpCommandComparison): Row[] {
  const rounds = (p99s: number[]): string => p99s.map((p99) => fmt(p99, 2)).join(", ");
  return [
    [
      `http: command round trip, ${fmt(r.devices)} long-polling devices: API call → succeeded p50 / p99`,
      ms(r.http.roundTrip.p50Ms, r.http.roundTrip.p99Ms),
      `${ms(r.ws.roundTrip.p50Ms, r.ws.roundTrip.p99Ms)} (WebSocket devices; target HTTP p99 < ${HTTP_COMMAND_TARGET_MS} ms)`,
      ratio(r.http.roundTrip.p99Ms, HTTP_COMMAND_TARGET_MS),
    ],
    [
      "http: command round trip p99 of each round, HTTP / WebSocket",
      rounds(r.http.roundTrip.roundP99Ms),
      rounds(r.ws.roundTrip.roundP99Ms),
      "",
    ],
    [
      "http: command API call → the device has it p50 / p99",
      ms(r.http.delivery.p50Ms, r.http.delivery.p99Ms),
      ms(r.ws.delivery.p50Ms, r.ws.delivery.p99Ms),
      ratio(r.http.delivery.p99Ms, r.ws.delivery.p99Ms),
    ],
    [
      "http: commands succeeded / sent (requests refused or failed)",
      `${fmt(r.http.succeeded)} / ${fmt(r.http.commands)} (${fmt(r.http.requestErrors)})`,
      `${fmt(r.ws.succeeded)} / ${fmt(r.ws.commands)}`,
      "",
    ],
    ["http: commands hub CPU (median of rounds)", `${fmt(r.http.hubCpuPercent)} %`, `${fmt(r.ws.hubCpuPercent)} %`, ""],
  ];
}
