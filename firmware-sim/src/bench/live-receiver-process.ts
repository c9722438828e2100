import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What the receiver subscribes to: the hub's live channel, or Mosquitto's `live/#`. */
export type LiveReceiverTarget = { kind: "hub"; url: string; key: string } | { kind: "mqtt"; url: string };

/** A dashboard-side receiver in its own process; `stop()` answers the latencies it measured (ms). */
export interface LiveReceiver {
  stop(): Promise<number[]>;
  /** End the process if it still runs: for a round that failed before `stop()`. */
  kill(): void;
}

/**
 * Fork `live-receiver.ts` and wait until it is subscribed. Sender and receiver read the same
 * clock: `performance.timeOrigin + performance.now()` is the system clock with sub-millisecond
 * resolution in every process.
 */
export async function startLiveReceiver(target: LiveReceiverTarget): Promise<LiveReceiver> {
  const child = fork(fileURLToPath(new URL("./live-receiver.js", import.meta.url)), [JSON.stringify(target)], { stdio: "inherit" });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the live receiver exited (${code}) before it subscribed`)));
    child.once("message", () => resolve());
  });
  child.removeAllListeners("exit");
  return {
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
    stop: () =>
      new Promise<number[]>((resolve, reject) => {
        child.once("message", (message) => resolve((message as { latencies: number[] }).latencies));
        child.once("exit", (code) => reject(new Error(`the live receiver exited (${code}) without its figures`)));
        child.send("stop");
      }),
  };
}
