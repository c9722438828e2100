import { type LiveReceiverFigures, LiveReceiverProcess, type LiveReceiverTarget } from "./live-receiver-process.js";

/**
 * The fan-out scenario's dashboards: one receiving process per subscriber, as each browser is,
 * started once and reused round after round (starting 50 Node processes costs seconds of CPU on
 * two cores, which would fall into the rounds).
 */
export class FanOutReceivers {
  private constructor(private readonly receivers: readonly LiveReceiverProcess[]) {}

  /** Start `count` receivers, a few at a time so that their start-up does not take both cores at once. */
  static async start(count: number, wave = 10): Promise<FanOutReceivers> {
    const started: LiveReceiverProcess[] = [];
    try {
      for (let i = 0; i < count; i += wave) {
        started.push(...(await Promise.all(Array.from({ length: Math.min(wave, count - i) }, () => LiveReceiverProcess.start()))));
      }
    } catch (error) {
      for (const receiver of started) receiver.kill();
      throw error;
    }
    return new FanOutReceivers(started);
  }

  get size(): number {
    return this.receivers.length;
  }

  /** Subscribe receiver `i` to `target(i)`; resolves once all are subscribed. */
  async subscribe(target: (i: number) => LiveReceiverTarget): Promise<void> {
    await Promise.all(this.receivers.map((receiver, i) => receiver.subscribe(target(i))));
  }

  /** End every subscription; answers what each receiver measured. */
  stop(): Promise<LiveReceiverFigures[]> {
    return Promise.all(this.receivers.map((receiver) => receiver.stop()));
  }

  close(): void {
    for (const receiver of this.receivers) receiver.kill();
  }
}
