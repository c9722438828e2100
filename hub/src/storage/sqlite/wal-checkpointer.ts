import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { CheckpointerData } from "./wal-checkpointer-worker.js";

/** Pages the writing connection lets its WAL reach before it checkpoints itself: a backstop, should the checkpointer stall. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 20_000;
/** How often the checkpointer thread copies the WAL back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 1_000;
/** The WAL file is cut back to this size when it is reused. */
export const WAL_SIZE_LIMIT_BYTES = 32 * 1_048_576;

/**
 * Leave `db`'s checkpoints (at `path`, a file) to a {@link WalCheckpointer}: its own connection
 * checkpoints only at the backstop, and its WAL is cut back to {@link WAL_SIZE_LIMIT_BYTES}.
 */
export function checkpointOffThread(db: Database.Database, path: string, onError: (message: string) => void): WalCheckpointer {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  // A WAL is reused from its start after a checkpoint, never shrunk, unless told to.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return new WalCheckpointer(path, CHECKPOINT_INTERVAL_MS, onError);
}

/**
 * Copies a database's WAL back into the database file from a thread of its own, every
 * `intervalMs`. A checkpoint syncs two files; run by the writing connection (SQLite's
 * auto-checkpoint) it would stall the event loop for milliseconds every few hundred commits.
 * PASSIVE checkpoints never block the writer.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<unknown>;
  private stopping: Promise<void> | undefined;

  /** `onError` hears each distinct checkpoint failure once (the WAL grows until checkpoints work again). */
  constructor(path: string, intervalMs: number, onError: (message: string) => void) {
    this.worker = new Worker(new URL("./wal-checkpointer-worker.js", import.meta.url), {
      workerData: { path, intervalMs } satisfies CheckpointerData,
    });
    // Not `once(worker, "exit")`: that rejects on an "error" event first (a thread that fails to
    // open the database), and nothing awaits it until stop(): an unhandled rejection.
    this.exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.on("message", (message: { error: string }) => onError(message.error));
    this.worker.on("error", (error) => onError(error.message));
    // After the listeners: adding one refs the worker again. A store nobody closed must not keep the process alive.
    this.worker.unref();
  }

  /** Stop checkpointing and close the thread's connection (before the writer closes, so the writer's close can remove the WAL). */
  stop(): Promise<void> {
    this.stopping ??= this.stopWorker();
    return this.stopping;
  }

  private async stopWorker(): Promise<void> {
    // Referenced again: the process must wait for the thread to close its connection.
    this.worker.ref();
    this.worker.postMessage("stop");
    await this.exited;
  }
}
