import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SqliteTelemetryStore } from "../src/storage/sqlite/sqlite-telemetry-store.js";
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

test("a store nobody closed does not keep the process alive (its checkpointer thread is unreferenced)", () => {
  const storeModule = new URL("../src/storage/sqlite/sqlite-telemetry-store.js", import.meta.url).href;
  const script = `const { SqliteTelemetryStore } = await import(${JSON.stringify(storeModule)}); new SqliteTelemetryStore(${JSON.stringify(join(dir, "unclosed.db"))});`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { timeout: 10_000 });
  assert.equal(child.error, undefined, "the process exited on its own");
  assert.equal(child.status, 0, child.stderr.toString());
});
