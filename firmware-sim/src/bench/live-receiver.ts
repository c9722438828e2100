/**
 * The dashboard side of the live scenarios, in its own process as a browser would be. Its
 * parent tells it what to subscribe to (the hub's live channel, or Mosquitto); it records each
 * reading's latency from the send time the reading carries; told to stop, it closes that
 * subscription, reports the latencies and waits for the next target, so the fan-out scenario can
 * keep its receivers across rounds instead of starting 50 processes for each.
 */
import { decodeFrame } from "@telehub/device-client/protocol";
import WebSocket from "ws";
import { hiResNow } from "./hi-res-clock.js";
import type { LiveReceiverCommand, LiveReceiverTarget } from "./live-receiver-process.js";

let latencies: number[] = [];
/** Messages received (one may carry several readings). */
let messages = 0;
let close: (() => void) | undefined;
/** CPU used and wall time at the start of the subscription. */
let from = { cpu: process.cpuUsage(), at: performance.now() };

interface LiveUpdate {
  type: string;
  telemetry?: { metric: string; value: unknown }[];
}

async function subscribeHub(url: string, key: string): Promise<() => void> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/v1/live`, ["telehub.live.v1"], {
    headers: { authorization: `Bearer ${key}` },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("close", (code, reason) => reject(new Error(`the hub closed the live connection: ${code} ${reason.toString()}`)));
    socket.once("open", () => socket.send(JSON.stringify({ type: "subscribe", topics: ["telemetry:*"] })));
    socket.on("message", (data: Buffer) => {
      const now = hiResNow();
      messages++;
      const message = JSON.parse(data.toString()) as LiveUpdate;
      if (message.type === "subscribed") resolve();
      for (const point of message.telemetry ?? []) if (point.metric === "sentAt") latencies.push(now - (point.value as number));
    });
  });
  return () => socket.terminate();
}

async function subscribeMqtt(url: string): Promise<() => void> {
  // Loaded on first use: MQTT.js takes about half a second of CPU to import, which 50 receivers
  // subscribed only to the hub need not spend.
  const { default: mqtt } = await import("mqtt");
  // A client id per process: the broker would disconnect a second session with the same id.
  const client = await mqtt.connectAsync(url, {
    clientId: `live-subscriber-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  client.on("message", (_topic, payload) => {
    const now = hiResNow();
    messages++;
    const sentAt = (decodeFrame(payload) as { r?: { m: { sentAt?: number } }[] }).r?.[0]?.m.sentAt;
    if (sentAt !== undefined) latencies.push(now - sentAt);
  });
  await client.subscribeAsync("live/#", { qos: 1 });
  return () => client.end(true);
}

function subscribe(target: LiveReceiverTarget): Promise<() => void> {
  return target.kind === "hub" ? subscribeHub(target.url, target.key) : subscribeMqtt(target.url);
}

process.on("message", (command: LiveReceiverCommand) => {
  if (command === "stop") {
    close?.();
    close = undefined;
    const measured = latencies;
    const cpu = process.cpuUsage(from.cpu);
    const seconds = (performance.now() - from.at) / 1_000;
    const cpuPercent = (cpu.user + cpu.system) / 10_000 / seconds;
    process.send?.({ latencies: measured, cpuPercent, messagesPerSecond: messages / seconds });
    latencies = [];
    messages = 0;
    return;
  }
  subscribe(command.subscribe).then(
    (closer) => {
      close = closer;
      from = { cpu: process.cpuUsage(), at: performance.now() };
      messages = 0;
      process.send?.({ ready: true });
    },
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
process.send?.({ started: true });
