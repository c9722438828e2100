import { closeSync, fdatasync, openSync } from "node:fs";

/**
 * Makes a SQLite connection's commits durable without blocking the event loop. The connection
 * commits with `synchronous = NORMAL` (its WAL is written, not synced); `sync()` then runs
 * `fdatasync` on the WAL file on libuv's thread pool. Linux syncs a file's data whatever
 * descriptor wrote it, so this is the sync SQLite's `FULL` mode would have done inside COMMIT,
 * done while the hub goes on reading sockets. Calls made while a sync runs share the next one.
 */
export class WalSync {
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private failure: Error | undefined;

  /** `walPath` must exist: open the database (and write to it) first. */
  constructor(private readonly walPath: string) {
    this.fd = openSync(walPath, "r+");
  }

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) {
      this.running = this.fdatasync().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The running sync may have started before this caller's write: wait for the one after it.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.sync();
      });
    return this.next;
  }

  /** Stop; later calls to `sync()` fail. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.failure ??= new Error(`${this.walPath}: closed`);
  }

  private fdatasync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.reject(new Error(`${this.walPath}: closed`));
    return new Promise((resolve, reject) => {
      fdatasync(fd, (error) => {
        if (!error) return resolve();
        // After a failed sync the kernel may have dropped the dirty pages: nothing written since
        // can be trusted to reach the disk, so every later sync fails too (as PostgreSQL does).
        this.failure = new Error(`${this.walPath}: fdatasync failed (${error.code ?? error.message}); restart the hub`, { cause: error });
        reject(this.failure);
      });
    });
  }
}
