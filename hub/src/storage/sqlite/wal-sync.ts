import { closeSync, fdatasync, openSync } from "node:fs";

/**
 * Makes a SQLite connection's commits durable without blocking the event loop. The connection
 * commits with `synchronous = NORMAL` (its WAL is written, not synced); `sync()` then runs
 * `fdatasync` on the WAL file on libuv's thread pool. Linux syncs a file's data whatever
 * descriptor wrote it, so this is the sync SQLite's `FULL` mode would have done inside COMMIT,
 * done while the hub goes on reading sockets.
 */
export class WalSync {
  private readonly fd: number;
  private closed = false;
  private failure: Error | undefined;

  /** `walPath` must exist: open the database (and write to it) first. */
  constructor(private readonly walPath: string) {
    this.fd = openSync(walPath, "r+");
  }

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      fdatasync(this.fd, (error) => {
        if (!error) return resolve();
        // After a failed sync the kernel may have dropped the dirty pages: nothing written since
        // can be trusted to reach the disk, so every later sync fails too (as PostgreSQL does).
        this.failure ??= new Error(`${this.walPath}: fdatasync failed (${error.code ?? error.message}); restart the hub`, { cause: error });
        reject(this.failure);
      });
    });
  }

  /** Stop; later calls to `sync()` fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    this.failure ??= new Error(`${this.walPath}: closed`);
  }
}
