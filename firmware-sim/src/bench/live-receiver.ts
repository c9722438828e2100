/**
 * The dashboard side of the live-latency scenario, in its own process as a browser would be:
 * subscribes to the hub's live channel (or to Mosquitto), records each reading's latency from
 * the send time it carries, and reports them to the parent when told to stop.
 */
import { decodeFrame } from "@telehub/device-client/protocol";
import mqtt from "mqtt";
import WebSocket from "ws";
import { hiResNow } from "./hi-res-clock.js";
import type { LiveReceiverTarget } from "./live-receiver-process.js";

const target = JSON.parse(process.argv[2] ?? "{}") as LiveReceiverTarget;
const latencies: number[] = [];

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
    socket.once("open", () => socket.send(JSON.stringify({ type: "subscribe", topics: ["telemetry:*"] })));
    socket.on("message", (data: Buffer) => {
      const now = hiResNow();
      const message = JSON.parse(data.toString()) as LiveUpdate;
      if (message.type === "subscribed") resolve();
      for (const point of message.telemetry ?? []) if (point.metric === "sentAt") latencies.push(now - (point.value as number));
    });
  });
  return () => socket.terminate();
}

async function subscribeMqtt(url: string): Promise<() => void> {
  const client = await mqtt.connectAsync(url, { clientId: "live-subscriber", clean: true, reconnectPeriod: 0, protocolVersion: 4 });
  client.on("message", (_topic, payload) => {
    const now = hiResNow();
    const sentAt = (decodeFrame(payload) as { r?: { m: { sentAt?: number } }[] }).r?.[0]?.m.sentAt;
    if (sentAt !== undefined) latencies.push(now - sentAt);
  });
  await client.subscribeAsync("live/#", { qos: 1 });
  return () => client.end(true);
}

const close = target.kind === "hub" ? await subscribeHub(target.url, target.key) : await subscribeMqtt(target.url);
process.send?.({ ready: true });
process.on("message", (message) => {
  if (message !== "stop") return;
  close();
  process.send?.({ latencies }, () => process.exit(0));
});
