import { encodeFrame } from "@telehub/device-client/protocol";
import type { MqttClient } from "mqtt";
import type { FanOutLoad, FanOutRound } from "./fanout-comparison.js";
import { cpuAfter } from "./fanout-cpu.js";
import type { FanOutReceivers } from "./fanout-receivers.js";
import { startMosquitto } from "./mosquitto-process.js";
import { MqttClients } from "./mqtt-clients.js";
import { sendTimedReadings } from "./steady-schedule.js";

const ACK_WAIT_MS = 30_000;

/**
 * The fan-out baseline, one round against a fresh broker: `load.devices` MQTT.js publishers each
 * publish one single-reading payload (the hub's batch frame bytes) a second at QoS 1 to
 * `live/<device>`; every receiver is a QoS 1 subscriber to `live/#`, so the broker delivers each
 * message to all of them and takes each one's PUBACK.
 */
export async function runMqttFanOutRound(binary: string, load: FanOutLoad, receivers: FanOutReceivers): Promise<FanOutRound> {
  const broker = await startMosquitto(binary);
  const clients = new MqttClients(broker.url);
  try {
    const publishers = await clients.connectMany("fanout-publisher-", load.devices);
    await receivers.subscribe(() => ({ kind: "mqtt", url: broker.url }));
    const cpu = cpuAfter(broker.pid, load.warmUpSeconds * 1_000);
    let seq = 0;
    const acknowledged: Promise<unknown>[] = [];
    const sent = await sendTimedReadings(load, (d, metrics) => {
      const payload = Buffer.from(encodeFrame({ t: "batch", seq: ++seq, r: [{ ts: Date.now(), m: metrics }] }));
      acknowledged.push((publishers[d] as MqttClient).publishAsync(`live/${d}`, payload, { qos: 1 }));
    });
    const serverCpuPercent = cpu.stop();
    // As the hub's round waits for its devices' acks (30 s at most): the broker has taken every
    // message. A publisher that lost its connection (no reconnects) never settles its publishes.
    await Promise.race([Promise.all(acknowledged), new Promise((resolve) => setTimeout(resolve, ACK_WAIT_MS).unref())]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { sent, serverCpuPercent, receivers: await receivers.stop() };
  } finally {
    await clients.endAll();
    await broker.stop();
  }
}
