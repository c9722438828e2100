import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
import { WalCheckpointer } from "../src/storage/sqlite/wal-checkpointer.js";
import { WalSync } from "../src/storage/sqlite/wal-sync.js";
import { eventually } from "./support/eventually.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-wal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("WalSync", () => {
  test("resolves once synced, again and again; after close() it refuses", async () => {
    const path = join(dir, "shared-wal");
    writeFileSync(path, "frames");
    const wal = new WalSync(path);
    try {
      await Promise.all([wal.sync(), wal.sync()]);
      await wal.sync();
    } finally {
      wal.close();
      wal.close();
    }
    await assert.rejects(wal.sync(), /shared-wal: closed/);
  });

  test("a failed fdatasync fails that sync and every later one, with a message that says to restart", async () => {
    // fdatasync on a FIFO fails with EINVAL: a stand-in for a disk that reports an I/O error.
    const fifo = join(dir, "fifo-wal");
    execFileSync("mkfifo", [fifo]);
    const wal = new WalSync(fifo);
    try {
      await assert.rejects(wal.sync(), /fifo-wal: fdatasync failed \(EINVAL\); restart the hub/);
      await assert.rejects(wal.sync(), /fdatasync failed/);
    } finally {
      wal.close();
    }
  });
});

describe("SqliteTelemetryStore checkpoints on a thread of its own", () => {
  test("the WAL is copied into the database file while the writer only appends (its own auto-checkpoint is a far-off backstop)", async () => {
    const path = join(dir, "telemetry.db");
    const store = new SqliteTelemetryStore(path);
    try {
      const before = statSync(path).size;
      for (let seq = 1; seq <= 1_000; seq++) {
        await store.append([{ deviceId: `d${seq % 20}`, seq, receivedAt: seq, readings: [{ ts: seq, metrics: { t: seq, on: true } }] }]);
      }
      await eventually(() => statSync(path).size > before + 32_768, "the checkpointer copied pages into the database file", 5_000);
      assert.equal(await store.countValues(), 2_000);
    } finally {
      await store.close();
    }
    const reopened = new SqliteTelemetryStore(path);
    try {
      assert.equal(await reopened.countValues(), 2_000, "everything is there after close and reopen");
    } finally {
      await reopened.close();
    }
  });
});

describe("WalCheckpointer failures", () => {
  test("a checkpoint that fails at every interval is reported once, with SQLite's reason", async () => {
    const path = join(dir, "held.db");
    // A connection in exclusive locking mode keeps every other one out: each checkpoint waits
    // out its 1 s busy timeout and fails.
    const holder = new Database(path);
    holder.pragma("journal_mode = WAL");
    holder.pragma("locking_mode = EXCLUSIVE");
    holder.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    const reported: string[] = [];
    const checkpointer = new WalCheckpointer(path, 10, (message) => reported.push(message));
    try {
      await eventually(() => reported.length > 0, "the failure was reported", 5_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // at least one more failed checkpoint
    } finally {
      await checkpointer.stop();
      holder.close();
    }
    assert.deepEqual(reported, ["database is locked"]);
  });

  test("a database the thread cannot open is reported once too, and the thread lives on to retry", async () => {
    const folder = join(dir, "not-yet");
    const reported: string[] = [];
    const checkpointer = new WalCheckpointer(join(folder, "telemetry.db"), 10, (message) => reported.push(message));
    try {
      await eventually(() => reported.length > 0, "the failure was reported", 5_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // some 20 more failed intervals
      assert.deepEqual(reported, ["Cannot open database because the directory does not exist"]);
      // A different failure later is news: the thread is still there, trying.
      mkdirSync(folder);
      writeFileSync(join(folder, "telemetry.db"), "no SQLite database ".repeat(100));
      await eventually(() => reported.length > 1, "the second failure was reported", 5_000);
    } finally {
      await checkpointer.stop();
    }
    assert.deepEqual(reported, ["Cannot open database because the directory does not exist", "file is not a database"]);
  });
});

test("a store nobody closed does not keep the process alive (its checkpointer thread is unreferenced)", () => {
  const storeModule = new URL("../src/storage/sqlite/sqlite-telemetry-store.js", import.meta.url).href;
  const script = `const { SqliteTelemetryStore } = await import(${JSON.stringify(storeModule)}); new SqliteTelemetryStore(${JSON.stringify(join(dir, "unclosed.db"))});`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { timeout: 10_000 });
  assert.equal(child.error, undefined, "the process exited on its own");
  assert.equal(child.status, 0, child.stderr.toString());
});
