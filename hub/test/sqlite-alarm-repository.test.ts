import assert from "node:assert/strict";
import { test } from "node:test";
import type Database from "better-sqlite3";
import { SqliteAlarmRepository } from "../src/storage/sqlite/sqlite-alarm-repository.js";
import { alarmRepositoryContract, newAlarm, ruleDefinition } from "./contracts/alarm-repository.contract.js";
import { MetaDbs } from "./support/meta-db.js";

const dbs = new MetaDbs();

alarmRepositoryContract("embedded SQLite", {
  open: async () => {
    const { db, secrets } = dbs.create();
    return new SqliteAlarmRepository(db, secrets);
  },
  dispose: async () => dbs.dispose(),
});

/** The `synchronous` settings the connection is given while `work` runs. */
async function syncSettings(db: Database.Database, work: () => Promise<unknown>): Promise<string[]> {
  const settings: string[] = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: { simple?: boolean }) => {
    if (source.startsWith("synchronous =")) settings.push(source);
    return pragma(source, options);
  }) as typeof db.pragma;
  try {
    await work();
  } finally {
    db.pragma = pragma;
  }
  return settings;
}

test("the evaluator's writes commit unsynced, what people do is synced, and the connection is back to FULL after each", async () => {
  const own = new MetaDbs();
  try {
    const { db, secrets } = own.create();
    const repo = new SqliteAlarmRepository(db, secrets);
    const rule = await repo.createRule(ruleDefinition("hot"), 1_000, "user:ada");
    const unsynced = ["synchronous = NORMAL", "synchronous = 2"];
    let alarmId = "";
    assert.deepEqual(
      await syncSettings(db, async () => {
        alarmId = (await repo.raise(newAlarm(rule.id, "d1", 2_000))).id;
      }),
      unsynced,
      "raise",
    );
    const step = { kind: "escalated", at: 3_000, severity: "critical", by: "rule", byName: null, comment: null, value: 95 } as const;
    assert.deepEqual(await syncSettings(db, () => repo.transition(alarmId, step)), unsynced, "a step of the rule");
    assert.deepEqual(
      await syncSettings(db, () =>
        repo.saveStates(
          [
            {
              ruleId: rule.id,
              deviceId: "d1",
              ruleVersion: 1,
              since: 0,
              watermark: 3_000,
              lastValue: 95,
              lastReadingAt: 3_000,
              alarmId,
              alarmSeverity: "critical",
              detail: {},
            },
          ],
          [],
        ),
      ),
      unsynced,
      "saving states",
    );
    const person = {
      kind: "acknowledged",
      at: 4_000,
      severity: "critical",
      by: "user:ada",
      byName: "ada",
      comment: "seen",
      value: null,
    } as const;
    assert.deepEqual(await syncSettings(db, () => repo.transition(alarmId, person)), [], "an acknowledgement is synced like any write");
    assert.deepEqual(
      await syncSettings(db, () =>
        repo.transition(alarmId, { ...person, kind: "cleared", by: "system", byName: null, comment: "device deleted" }),
      ),
      unsynced,
      "the system's clear of a deleted device's alarms",
    );
    assert.equal(db.pragma("synchronous", { simple: true }), 2, "FULL again");
    assert.equal((await repo.getAlarm(alarmId))?.status, "cleared");
  } finally {
    own.dispose();
  }
});

test("a refused raise leaves the connection's setting as it was", async () => {
  const own = new MetaDbs();
  try {
    const { db, secrets } = own.create();
    const repo = new SqliteAlarmRepository(db, secrets);
    await repo.raise(newAlarm("rule_a", "d1", 1_000));
    await assert.rejects(repo.raise(newAlarm("rule_a", "d1", 2_000)));
    assert.equal(db.pragma("synchronous", { simple: true }), 2);
  } finally {
    own.dispose();
  }
});
