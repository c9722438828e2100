import type { KV, KvWatchEntry } from "@nats-io/kv";
import type pino from "pino";

/**
 * Follow every key of a JetStream KV bucket: its current values first, then each change, in
 * revision order (an ordered consumer: the client recreates it after a gap or a reconnection).
 */
export class BucketWatch {
  /** Resolves once the values the bucket held when the watch began have been handed over. */
  readonly caughtUp: Promise<void>;
  private stopped = false;

  private constructor(
    private readonly entries: AsyncIterable<KvWatchEntry> & { stop(): void },
    caughtUp: Promise<void>,
  ) {
    this.caughtUp = caughtUp;
  }

  /** Start watching `kv`; `onEntry` gets every entry (puts and deletes), one at a time. */
  static async start(kv: KV, onEntry: (entry: KvWatchEntry) => void, log: pino.Logger): Promise<BucketWatch> {
    const { streamInfo } = await kv.status();
    const lastRevision = streamInfo.state.messages === 0 ? 0 : streamInfo.state.last_seq;
    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
    if (lastRevision === 0) markCaughtUp();
    const entries = await kv.watch();
    const watch = new BucketWatch(entries, caughtUp);
    void (async () => {
      try {
        for await (const entry of entries) {
          try {
            onEntry(entry);
          } catch (error) {
            log.error({ err: error, key: entry.key }, "a bucket entry could not be handled");
          }
          if (entry.isUpdate || entry.revision >= lastRevision) markCaughtUp();
        }
      } catch (error) {
        if (!watch.stopped) log.error({ err: error }, "the bucket watch ended");
      }
    })();
    return watch;
  }

  stop(): void {
    this.stopped = true;
    this.entries.stop();
  }
}
