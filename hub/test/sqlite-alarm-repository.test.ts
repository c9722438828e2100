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

/**
 * Watches the `synchronous` settings a connection is given: every `PRAGMA synchronous = …`
 * statement prepared after this call records its value when run. `during(work)` answers those set while `work` ran.
 */
function watchSyncSettings(db: Database.Database): { during(work: () => Promise<unknown>): Promise<string[]> } {
  const settings: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    const setting = /^PRAGMA synchronous = (\w+)$/.exec(source)?.[1];
    if (setting !== undefined) {
      const run = statement.run.bind(statement);
      statement.run = ((...params: unknown[]) => {
        settings.push(setting);
        return run(...params);
      }) as typeof statement.run;
    }
    return statement;
  }) as typeof db.prepare;
  return {
    async during(work) {
      settings.length = 0;
      await work();
      return [...settings];
    },
  };
}

test("the evaluator's writes commit unsynced, what people do is synced, and the connection is back to FULL after each", async () => {
  const own = new MetaDbs();
  try {
    const { db, secrets } = own.create();
    const watch = watchSyncSettings(db);
    const repo = new SqliteAlarmRepository(db, secrets);
    const rule = await repo.createRule(ruleDefinition("hot"), 1_000, "user:ada");
    const unsynced = ["NORMAL", "2"];
    let alarmId = "";
    assert.deepEqual(
      await watch.during(async () => {
        alarmId = (await repo.raise(newAlarm(rule.id, "d1", 2_000))).id;
      }),
      unsynced,
      "raise",
    );
    const step = { kind: "escalated", at: 3_000, severity: "critical", by: "rule", byName: null, comment: null, value: 95 } as const;
    assert.deepEqual(await watch.during(() => repo.transition(alarmId, step)), unsynced, "a step of the rule");
    assert.deepEqual(
      await watch.during(() =>
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
    assert.deepEqual(await watch.during(() => repo.transition(alarmId, person)), [], "an acknowledgement is synced like any write");
    assert.deepEqual(
      await watch.during(() =>
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

test("a connection already at synchronous = NORMAL (storage.sqliteSynchronous) is left as it is", async () => {
  const own = new MetaDbs();
  try {
    const { db, secrets } = own.create();
    db.pragma("synchronous = NORMAL");
    const watch = watchSyncSettings(db);
    const repo = new SqliteAlarmRepository(db, secrets);
    assert.deepEqual(await watch.during(() => repo.raise(newAlarm("rule_a", "d1", 1_000))), []);
    assert.equal(db.pragma("synchronous", { simple: true }), 1);
  } finally {
    own.dispose();
  }
});
