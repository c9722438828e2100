/**
 * The dashboard side of the alarm latency rounds, in its own process as a browser would be: one
 * live connection (`/v1/live`) subscribed to `telemetry:*` and `alarms:*`. A probe reading that
 * raises an alarm carries its send time as its value, so both the reading's telemetry item and
 * the alarm it raised (`transition.value`) carry it here; each is timed on arrival. Usage (forked
 * by `alarms-receiver-process.ts`): `alarms-live-receiver.js URL` with the API key in
 * `TELEHUB_BENCH_KEY`; it says `{ ready }` once subscribed and answers `stop` with the latencies.
 */
import type { LiveUpdate } from "@telehub/hub";
import WebSocket from "ws";
import { PROBE_METRIC } from "./alarms-rules.js";
import { hiResNow } from "./hi-res-clock.js";

/** What the receiver measured, ms each. */
export interface AlarmLatencies {
  /** Probe reading → its telemetry item. */
  telemetry: number[];
  /** Probe reading → the alarm it raised. */
  alarms: number[];
}

/** Probe values below this are warm-up crossings (a small number), not send times. */
const SEND_TIME_FLOOR = 1e12;

const measured: AlarmLatencies = { telemetry: [], alarms: [] };
const [url] = process.argv.slice(2);
const socket = new WebSocket(`${(url ?? "").replace(/^http/, "ws")}/v1/live`, ["telehub.live.v1"], {
  headers: { authorization: `Bearer ${process.env.TELEHUB_BENCH_KEY ?? ""}` },
});
socket.once("error", (error) => process.send?.({ error: String(error) }));
socket.once("open", () => socket.send(JSON.stringify({ type: "subscribe", topics: ["telemetry:*", "alarms:*"] })));
socket.on("message", (data: Buffer) => {
  const now = hiResNow();
  const message = JSON.parse(data.toString()) as { type: string } & Partial<Omit<LiveUpdate, "type">>;
  if (message.type === "subscribed") process.send?.({ ready: true });
  for (const { metric, value } of message.telemetry ?? []) {
    if (metric === PROBE_METRIC && typeof value === "number" && value > SEND_TIME_FLOOR) measured.telemetry.push(now - value);
  }
  for (const { transition } of message.alarms ?? []) {
    const { kind, value } = transition;
    if (kind === "raised" && typeof value === "number" && value > SEND_TIME_FLOOR) measured.alarms.push(now - value);
  }
});
process.on("message", (command: unknown) => {
  if (command !== "stop") return;
  socket.terminate();
  process.send?.(measured, () => process.exit(0));
});
process.on("disconnect", () => process.exit(0));
