import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HeartbeatSchedule } from "../src/gateway/heartbeat-schedule.js";

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("HeartbeatSchedule", () => {
  test("checks every member once per interval, a slot at a time, never all in one tick", async () => {
    const checks: { member: number; at: number }[] = [];
    const ticks = new Map<number, number>();
    const schedule = new HeartbeatSchedule<number>(1_000, (member) => {
      const at = Math.round(performance.now());
      checks.push({ member, at });
      ticks.set(at, (ticks.get(at) ?? 0) + 1);
    });
    for (let member = 0; member < 50; member++) schedule.add(member);
    schedule.start();
    try {
      await wait(2_050);
    } finally {
      schedule.stop();
    }
    const perMember = new Map<number, number[]>();
    for (const { member, at } of checks) perMember.set(member, [...(perMember.get(member) ?? []), at]);
    assert.equal(perMember.size, 50, "every member was checked");
    for (const [member, times] of perMember) {
      assert.ok(times.length >= 2 && times.length <= 3, `member ${member} checked ${times.length} times in 2 intervals`);
      for (let i = 1; i < times.length; i++) {
        const gap = (times[i] as number) - (times[i - 1] as number);
        assert.ok(gap > 900 && gap < 1_300, `member ${member}: ${gap} ms between checks`);
      }
    }
    // 1 s cut into 10 slots of 100 ms: 50 members are 5 per slot.
    assert.ok(Math.max(...ticks.values()) <= 5, `at most 5 checks in one tick, saw ${Math.max(...ticks.values())}`);
  });

  test("a removed member is no longer checked; adding twice schedules once", async () => {
    const checked: string[] = [];
    const schedule = new HeartbeatSchedule<string>(100, (member) => checked.push(member));
    schedule.add("kept");
    schedule.add("kept");
    schedule.add("gone");
    schedule.remove("gone");
    assert.equal(schedule.size, 1);
    schedule.start();
    try {
      await wait(350);
    } finally {
      schedule.stop();
    }
    assert.ok(checked.length >= 2, `checked ${checked.length} times`);
    assert.deepEqual(new Set(checked), new Set(["kept"]));
  });

  test("a member may remove itself while its slot is being checked", async () => {
    const checked: number[] = [];
    const schedule: HeartbeatSchedule<number> = new HeartbeatSchedule<number>(100, (member) => {
      checked.push(member);
      schedule.remove(member);
    });
    for (let member = 0; member < 3; member++) schedule.add(member);
    schedule.start();
    try {
      await wait(250);
    } finally {
      schedule.stop();
    }
    assert.deepEqual(checked, [0, 1, 2]);
    assert.equal(schedule.size, 0);
  });
});
