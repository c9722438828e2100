import { encodeFrame } from "@telehub/device-client/protocol";
import { startMosquitto } from "./mosquitto-process.js";
import { MqttClients } from "./mqtt-clients.js";
import { cpuTimeMs } from "./process-stats.js";
import { sampleReading } from "./sample-reading.js";

/** Mosquitto QoS 1 fan-in: messages delivered to the one subscriber. */
export interface MqttFanInResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  brokerCpuPercent: number;
}

/** QoS 1 publishes a publisher keeps unacknowledged, as the hub's in-flight window (16 batches). */
const WINDOW = 16;

/**
 * `publishers` MQTT.js clients each publish `messages` single-reading payloads (the hub's own
 * batch frame bytes) at QoS 1 as fast as PUBACKs allow; one QoS 1 subscriber on `bench/#`.
 * Timed from the first publish to the subscriber's last message.
 */
export async function measureMqttFanIn(binary: string, publishers: number, messages: number): Promise<MqttFanInResult> {
  const broker = await startMosquitto(binary);
  const clients = new MqttClients(broker.url);
  try {
    const subscriber = await clients.connect("bench-subscriber");
    const total = publishers * messages;
    let received = 0;
    let lastAt = 0;
    const allReceived = new Promise<void>((resolve) => {
      subscriber.on("message", () => {
        received++;
        if (received === total) {
          lastAt = performance.now();
          resolve();
        }
      });
    });
    await subscriber.subscribeAsync("bench/#", { qos: 1 });
    const senders = await clients.connectMany("bench-publisher-", publishers);

    const cpuBefore = cpuTimeMs(broker.pid);
    const startedAt = performance.now();
    await Promise.all(
      senders.map(async (client, d) => {
        const inFlight = new Set<Promise<unknown>>();
        for (let m = 1; m <= messages; m++) {
          const payload = Buffer.from(encodeFrame({ t: "batch", seq: m, r: [sampleReading(d, m)] }));
          const publish = client.publishAsync(`bench/${d}`, payload, { qos: 1 }).finally(() => inFlight.delete(publish));
          inFlight.add(publish);
          if (inFlight.size >= WINDOW) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allReceived, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
    clearTimeout(timer);
    const seconds = ((lastAt || performance.now()) - startedAt) / 1000;
    return {
      messages: received,
      seconds,
      messagesPerSecond: received / seconds,
      brokerCpuPercent: ((cpuTimeMs(broker.pid) - cpuBefore) / (seconds * 1000)) * 100,
    };
  } finally {
    await clients.endAll();
    await broker.stop();
  }
}
