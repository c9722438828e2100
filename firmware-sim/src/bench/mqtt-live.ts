import { encodeFrame } from "@telehub/device-client/protocol";
import type { MqttClient } from "mqtt";
import { hiResNow } from "./hi-res-clock.js";
import { startLiveReceiver } from "./live-receiver-process.js";
import type { LiveLatencyResult } from "./live-scenario.js";
import { startMosquitto } from "./mosquitto-process.js";
import { MqttClients } from "./mqtt-clients.js";
import { percentile } from "./percentiles.js";
import { everySecond } from "./steady-schedule.js";

/**
 * The live-latency baseline: `devices` MQTT.js publishers each publish one single-reading
 * payload (the hub's batch frame bytes) a second at QoS 1; one QoS 1 subscriber, in its own
 * process as the hub's dashboard client is, times each message from its send (the
 * sub-millisecond time in the payload) to its arrival.
 */
export async function measureMqttLiveLatency(binary: string, devices: number, seconds: number): Promise<LiveLatencyResult> {
  const broker = await startMosquitto(binary);
  const clients = new MqttClients(broker.url);
  try {
    const receiver = await startLiveReceiver({ kind: "mqtt", url: broker.url });
    const publishers = await clients.connectMany("live-publisher-", devices);
    let sent = 0;
    await everySecond(devices, seconds, (d) => {
      const payload = Buffer.from(encodeFrame({ t: "batch", seq: sent + 1, r: [{ ts: Date.now(), m: { sentAt: hiResNow() } }] }));
      sent++;
      void (publishers[d] as MqttClient).publishAsync(`live/${d}`, payload, { qos: 1 });
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const latencies = await receiver.stop();
    return { devices, received: latencies.length, sent, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    await clients.endAll();
    await broker.stop();
  }
}
