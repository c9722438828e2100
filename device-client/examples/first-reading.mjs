// first-reading.mjs: connect as a device, send one reading, exit.
// Run: TELEHUB_TOKEN=<the device's token> node first-reading.mjs
import { TelehubClient } from "@telehub/device-client";

const client = new TelehubClient({
  url: process.env.HUB ?? "http://127.0.0.1:8080",
  deviceId: process.env.TELEHUB_DEVICE_ID ?? "greenhouse-1",
  token: process.env.TELEHUB_TOKEN ?? "",
});
await client.connect(); // resolves when the hub has welcomed the device
client.send({ temperature: 21.5, door_open: false });
await client.close(); // waits (up to 5 s) for the hub's ack, then disconnects, so the process exits
