import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encodeFrame } from "@telehub/device-client/protocol";
import { HUB_NODE_FLAGS } from "@telehub/hub/spawn";
import WebSocket from "ws";
import type { LiveRound } from "./live-comparison.js";
import { type LiveReceiver, startLiveReceiver } from "./live-receiver-process.js";
import { type SteadyLoad, sendTimedReadings } from "./steady-schedule.js";

/**
 * One round against the Node floor (`node-relay.ts`): the same devices, schedule, payloads and
 * receiver as the hub's round, through a relay that only decodes, acknowledges and forwards. The
 * gap between it and Mosquitto is what running on Node costs; the gap between the hub and it is
 * what the hub's own work (authentication, validation, storage, metrics) costs.
 */
export async function runNodeRelayLiveRound(load: SteadyLoad): Promise<LiveRound> {
  const child = fork(fileURLToPath(new URL("./node-relay.js", import.meta.url)), { stdio: "inherit", execArgv: [...HUB_NODE_FLAGS] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const sockets: WebSocket[] = [];
  let receiver: LiveReceiver | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the Node relay exited (${code}) before listening`)));
      child.once("message", (message) => resolve((message as { port: number }).port));
    });
    for (let d = 0; d < load.devices; d++) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/relay-${d}`, { perMessageDeflate: false });
      socket.on("error", () => {});
      sockets.push(socket);
      await new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
      });
    }
    receiver = await startLiveReceiver({ kind: "hub", url: `http://127.0.0.1:${port}`, key: "none" });
    let seq = 0;
    const sent = await sendTimedReadings(load, (d, metrics) => {
      (sockets[d] as WebSocket).send(encodeFrame({ t: "batch", seq: ++seq, r: [{ ts: Date.now(), m: metrics }] }), { binary: true });
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { sent, latencies: await receiver.stop() };
  } finally {
    receiver?.kill();
    for (const socket of sockets) socket.terminate();
    if (child.connected) child.send("stop");
    await exited;
  }
}
