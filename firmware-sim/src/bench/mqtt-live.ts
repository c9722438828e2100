import { encodeFrame } from "@telehub/device-client/protocol";
import type { MqttClient } from "mqtt";
import type { LiveRound } from "./live-comparison.js";
import { type LiveReceiver, startLiveReceiver } from "./live-receiver-process.js";
import { startMosquitto } from "./mosquitto-process.js";
import { MqttClients } from "./mqtt-clients.js";
import { type SteadyLoad, sendTimedReadings } from "./steady-schedule.js";

/**
 * The live-latency baseline, one round against a fresh broker: `devices` MQTT.js publishers
 * each publish one single-reading payload (the hub's batch frame bytes) a second at QoS 1; one
 * QoS 1 subscriber, in its own process as the hub's dashboard client is, times each message
 * from its send (the sub-millisecond time in the payload) to its arrival, after the same
 * warm-up as the hub's.
 */
export async function runMqttLiveRound(binary: string, load: SteadyLoad): Promise<LiveRound> {
  const broker = await startMosquitto(binary);
  const clients = new MqttClients(broker.url);
  let receiver: LiveReceiver | undefined;
  try {
    receiver = await startLiveReceiver({ kind: "mqtt", url: broker.url });
    const publishers = await clients.connectMany("live-publisher-", load.devices);
    let seq = 0;
    const sent = await sendTimedReadings(load, (d, metrics) => {
      const payload = Buffer.from(encodeFrame({ t: "batch", seq: ++seq, r: [{ ts: Date.now(), m: metrics }] }));
      void (publishers[d] as MqttClient).publishAsync(`live/${d}`, payload, { qos: 1 });
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { sent, latencies: await receiver.stop() };
  } finally {
    receiver?.kill();
    await clients.endAll();
    await broker.stop();
  }
}
