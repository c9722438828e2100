import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { StoreWorkerGoneError, WorkerTelemetryStore } from "../src/storage/worker/worker-telemetry-store.js";
import { telemetryStoreContract } from "./contracts/telemetry-store.contract.js";

const dir = mkdtempSync(join(tmpdir(), "telehub-worker-store-"));
const path = join(dir, "telemetry.db");

async function opened(): Promise<WorkerTelemetryStore> {
  const store = new WorkerTelemetryStore(path);
  await store.ready();
  return store;
}

telemetryStoreContract("embedded SQLite on a worker thread", {
  open: opened,
  reopen: opened,
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
});

test("a database the worker cannot open fails ready() with the reason", async () => {
  const own = mkdtempSync(join(tmpdir(), "telehub-worker-bad-"));
  const file = join(own, "a-file");
  writeFileSync(file, "");
  const store = new WorkerTelemetryStore(join(file, "telemetry.db"));
  await assert.rejects(store.ready(), /EEXIST|ENOTDIR/);
  rmSync(own, { recursive: true, force: true });
});

test("after the worker is gone every call fails with StoreWorkerGoneError instead of hanging", async () => {
  const own = mkdtempSync(join(tmpdir(), "telehub-worker-gone-"));
  const store = new WorkerTelemetryStore(join(own, "telemetry.db"));
  await store.ready();
  await (store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  await assert.rejects(store.countValues(), StoreWorkerGoneError);
  await store.close();
  rmSync(own, { recursive: true, force: true });
});
