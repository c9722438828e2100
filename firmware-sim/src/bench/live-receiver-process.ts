import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What the receiver subscribes to: the hub's live channel, or Mosquitto's `live/#`. */
export type LiveReceiverTarget = { kind: "hub"; url: string; key: string } | { kind: "mqtt"; url: string };

/** What the parent tells `live-receiver.ts`: subscribe to a target, or stop and report. */
export type LiveReceiverCommand = { subscribe: LiveReceiverTarget } | "stop";

type LiveReceiverReply = { started: true } | { ready: true } | { error: string } | LiveReceiverFigures;

/** What a receiver measured over one subscription. */
export interface LiveReceiverFigures {
  /** Each reading's latency, ms. */
  latencies: number[];
  /** The receiving process's CPU use over the subscription, % of one core. */
  cpuPercent: number;
  /** Messages received a second over the subscription (a hub message may carry several readings). */
  messagesPerSecond: number;
}

/**
 * A dashboard-side receiver (`live-receiver.ts`) in its own process, as a browser would be,
 * reusable for one target after another. Sender and receiver read the same clock:
 * `performance.timeOrigin + performance.now()` is the system clock with sub-millisecond
 * resolution in every process.
 */
export class LiveReceiverProcess {
  private waiting: { resolve: (reply: LiveReceiverReply) => void; reject: (error: Error) => void } | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (reply: LiveReceiverReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve(reply);
    });
    child.once("exit", (code) => this.waiting?.reject(new Error(`the live receiver exited (${code})`)));
    child.once("error", (error) => this.waiting?.reject(error));
  }

  /** Fork a receiver and wait until it listens for commands. */
  static async start(): Promise<LiveReceiverProcess> {
    const receiver = new LiveReceiverProcess(fork(fileURLToPath(new URL("./live-receiver.js", import.meta.url)), [], { stdio: "inherit" }));
    await receiver.request(undefined);
    return receiver;
  }

  /** Subscribe to `target`; resolves once subscribed. */
  async subscribe(target: LiveReceiverTarget): Promise<void> {
    const reply = await this.request({ subscribe: target });
    if ("error" in reply) throw new Error(`the live receiver could not subscribe: ${reply.error}`);
  }

  /** End the subscription; answers what was measured since it began. */
  async stop(): Promise<LiveReceiverFigures> {
    const reply = await this.request("stop");
    if (!("latencies" in reply)) throw new Error(`the live receiver answered ${JSON.stringify(reply)} to stop`);
    return reply;
  }

  /** End the process if it still runs. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  /** Send `command` (none: only wait) and wait for the receiver's reply. */
  private request(command: LiveReceiverCommand | undefined): Promise<LiveReceiverReply> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        reject(new Error(`the live receiver exited (${this.child.exitCode ?? this.child.signalCode})`));
        return;
      }
      this.waiting = { resolve, reject };
      if (command !== undefined) this.child.send(command);
    });
  }
}

/** A receiver started for one round: `stop()` answers its latencies and ends the process. */
export interface LiveReceiver {
  stop(): Promise<number[]>;
  /** End the process if it still runs: for a round that failed before `stop()`. */
  kill(): void;
}

/** Fork a receiver for one round and wait until it is subscribed to `target`. */
export async function startLiveReceiver(target: LiveReceiverTarget): Promise<LiveReceiver> {
  const receiver = await LiveReceiverProcess.start();
  try {
    await receiver.subscribe(target);
  } catch (error) {
    receiver.kill();
    throw error;
  }
  return {
    kill: () => receiver.kill(),
    stop: async () => {
      try {
        return (await receiver.stop()).latencies;
      } finally {
        receiver.kill();
      }
    },
  };
}
