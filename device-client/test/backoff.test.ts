import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { HeartbeatWatchdog } from "../src/node/heartbeat-watchdog.js";
import { Backoff, backoffCap, backoffDelay, DEFAULT_BACKOFF } from "../src/node/index.js";

describe("backoff: capped exponential with full jitter", () => {
  test("the cap grows by the multiplier, then saturates at maxMs", () => {
    const caps = Array.from({ length: 10 }, (_, attempt) => backoffCap(attempt, DEFAULT_BACKOFF));
    assert.deepEqual(caps, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    assert.equal(backoffCap(10_000, DEFAULT_BACKOFF), 30_000, "no overflow for huge attempt counts");
  });

  test("every delay lies in [0, cap] (full jitter)", () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 0; attempt < 20; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF, random);
        assert.ok(delay >= 0 && delay <= backoffCap(attempt, DEFAULT_BACKOFF), `attempt ${attempt}: ${delay}`);
      }
    }
    assert.equal(
      backoffDelay(3, DEFAULT_BACKOFF, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(3, DEFAULT_BACKOFF, () => 0.5),
      2_000,
    );
  });

  test("Backoff counts attempts and resets after a good connection", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, multiplier: 2 }, () => 0.999_999);
    const delays = Array.from({ length: 7 }, () => backoff.next());
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000]);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.next(), 100);
  });

  test("bad options are refused", () => {
    assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10, multiplier: 2 }), RangeError);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5, multiplier: 2 }), RangeError);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 50, multiplier: 0.5 }), RangeError);
  });
});

describe("HeartbeatWatchdog (fake timers)", () => {
  test("fires only after timeoutMs without a sign of life", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const fired = mock.fn();
    const watchdog = new HeartbeatWatchdog(2 * 100 + 50, fired);
    watchdog.touch();
    t.mock.timers.tick(200);
    watchdog.touch();
    t.mock.timers.tick(249);
    assert.equal(fired.mock.callCount(), 0);
    t.mock.timers.tick(1);
    assert.equal(fired.mock.callCount(), 1);
    watchdog.touch();
    watchdog.stop();
    t.mock.timers.tick(1_000);
    assert.equal(fired.mock.callCount(), 1);
  });
});
