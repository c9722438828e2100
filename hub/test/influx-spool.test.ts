import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { Spool } from "../src/storage/influx/spool.js";

describe("InfluxDB spool entries", () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-spool-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("lines come back as written, from memory and from the file, also with line breaks inside string values", () => {
    const path = join(dir, "entries.db");
    const plain = ["telemetry,device=a v=1,_received=5 1000", "telemetry_bool,device=a on=t,_received=5 1000"];
    const broken = ['telemetry_str,device=a note="one\ntwo\r\n",_received=5 2000', "telemetry,device=a v=2,_received=5 2000"];
    const older = ["telemetry,device=b v=3,_received=5 3000"];
    const first = new Spool(path, 1_000_000, 100);
    const pages = new Database(path, { readonly: true });
    assert.equal(pages.pragma("page_size", { simple: true }), 65_536, "a new spool has 64 KiB pages");
    pages.close();
    first.write(plain, new Map([["a", 1]]));
    first.write(broken, new Map([["a", 2]]));
    assert.deepEqual(first.oldest(100)?.lines, [...plain, ...broken], "from memory");
    first.close();
    // An entry as hubs before metric types wrote it.
    const db = new Database(path);
    db.prepare("INSERT INTO spool (lines, points, bytes, spooled_at) VALUES (?, 1, 10, 0)").run(JSON.stringify(older));
    db.close();
    const second = new Spool(path, 1_000_000, 100);
    const run = second.oldest(100);
    assert.deepEqual(run?.lines, [...plain, ...broken, ...older], "from the file");
    assert.equal(second.lastSequence("a"), 2);
    second.close();
  });
});
