/**
 * Child-process probe for "no timers left after close()": connects to the hub URL given as
 * the first argument (over the transports listed in the second, comma-separated; default the
 * client's), sends, closes, and then must let the process exit on its own.
 * Does nothing without an argument (so a test runner that imports it is unaffected).
 */
import { TelehubClient, type Transport } from "../../src/node/index.js";

const url = process.argv[2];
const transports = process.argv[3]?.split(",") as Transport[] | undefined;
if (url) {
  const client = new TelehubClient({ url, deviceId: "probe", token: "t", batchIntervalMs: 10_000, heartbeatGraceMs: 60_000, transports });
  await client.connect();
  client.send({ n: 1 });
  await client.close({ flush: true, timeoutMs: 2_000 });
  process.stdout.write(`closed buffered=${client.stats.bufferedReadings}\n`);
}
