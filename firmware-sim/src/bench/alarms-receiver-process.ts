import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AlarmLatencies } from "./alarms-live-receiver.js";

/** A running `alarms-live-receiver.ts` process. */
export interface AlarmReceiver {
  /** Stop receiving; answers what was measured and ends the process. */
  stop(): Promise<AlarmLatencies>;
  /** End the process if it still runs: for a round that failed before `stop()`. */
  kill(): void;
}

/** Fork the alarm latency receiver and wait until it is subscribed to the hub at `hubUrl`. */
export async function startAlarmReceiver(hubUrl: string, apiKey: string): Promise<AlarmReceiver> {
  const script = fileURLToPath(new URL("./alarms-live-receiver.js", import.meta.url));
  const child = fork(script, [hubUrl], { env: { ...process.env, TELEHUB_BENCH_KEY: apiKey }, stdio: "inherit" });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  const reply = <T>(accept: (message: unknown) => message is T): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the alarm receiver exited (${code})`));
      child.once("exit", onExit);
      const onMessage = (message: unknown): void => {
        if (typeof message === "object" && message !== null && "error" in message) {
          reject(new Error(`the alarm receiver: ${String(message.error)}`));
        } else if (!accept(message)) {
          return;
        } else {
          resolve(message);
        }
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      child.on("message", onMessage);
    });
  try {
    await reply((m): m is { ready: true } => typeof m === "object" && m !== null && "ready" in m);
  } catch (error) {
    kill();
    throw error;
  }
  return {
    kill,
    async stop() {
      const answer = reply((m): m is AlarmLatencies => typeof m === "object" && m !== null && "alarms" in m);
      child.send("stop");
      try {
        return await answer;
      } finally {
        kill();
      }
    },
  };
}
