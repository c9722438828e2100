import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { HeartbeatSchedule } from "../src/gateway/heartbeat-schedule.js";

/** A schedule on mock timers; `check` is given the mock time, which `advance` moves on. */
function scheduled<T>(
  t: TestContext,
  intervalMs: number,
  check: (member: T, at: number) => void,
): { schedule: HeartbeatSchedule<T>; advance: (ms: number) => void } {
  t.mock.timers.enable({ apis: ["setInterval"] });
  let now = 0;
  const schedule = new HeartbeatSchedule<T>(intervalMs, (member) => check(member, now));
  const advance = (ms: number): void => {
    for (let step = 0; step < ms / 10; step++) {
      now += 10;
      t.mock.timers.tick(10);
    }
  };
  return { schedule, advance };
}

describe("HeartbeatSchedule", () => {
  test("checks every member once per interval, a slot at a time, never all in one tick", (t) => {
    const checks = new Map<number, number[]>();
    const perTick = new Map<number, number>();
    const { schedule, advance } = scheduled<number>(t, 1_000, (member, at) => {
      checks.set(member, [...(checks.get(member) ?? []), at]);
      perTick.set(at, (perTick.get(at) ?? 0) + 1);
    });
    for (let member = 0; member < 50; member++) schedule.add(member);
    schedule.start();
    advance(3_000);
    schedule.stop();
    assert.equal(checks.size, 50, "every member was checked");
    for (const [member, times] of checks) {
      assert.equal(times.length, 3, `member ${member}: three checks in three intervals`);
      assert.deepEqual([(times[1] as number) - (times[0] as number), (times[2] as number) - (times[1] as number)], [1_000, 1_000]);
    }
    // 1 s cut into 10 slots of 100 ms: 50 members are 5 per tick, on all 10 ticks of an interval.
    assert.deepEqual(new Set(perTick.values()), new Set([5]));
    assert.equal(perTick.size, 30);
  });

  test("a removed member is no longer checked; adding twice schedules once", (t) => {
    const checked: string[] = [];
    const { schedule, advance } = scheduled<string>(t, 100, (member) => checked.push(member));
    schedule.add("kept");
    schedule.add("kept");
    schedule.add("gone");
    schedule.remove("gone");
    assert.equal(schedule.size, 1);
    schedule.start();
    advance(300);
    schedule.stop();
    assert.deepEqual(checked, ["kept", "kept", "kept"]);
  });

  test("a member may remove itself, or be removed, while its slot is being checked", (t) => {
    const checked: number[] = [];
    const { schedule, advance } = scheduled<number>(t, 100, (member) => {
      checked.push(member);
      schedule.remove(member);
      if (member === 0) schedule.remove(1);
    });
    for (let member = 0; member < 3; member++) schedule.add(member);
    schedule.start();
    advance(300);
    schedule.stop();
    assert.deepEqual(checked, [0, 2]);
    assert.equal(schedule.size, 0);
  });
});
