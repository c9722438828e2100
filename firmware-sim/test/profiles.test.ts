import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadCustomProfile } from "../src/profiles/custom-profile.js";
import { BUILT_IN_PROFILES, type Metrics, type Profile, resolveProfile } from "../src/profiles/index.js";
import { deviceRandom } from "../src/profiles/random.js";
import { UsageError } from "../src/usage-error.js";

const START = Date.UTC(2026, 0, 1);

/** Readings of `devices` devices every `stepMs` over `hours`, on a simulated clock. */
function sample(profile: Profile, seed: number, devices = 10, hours = 48, stepMs = 60_000): Metrics[] {
  const readings: Metrics[] = [];
  for (let d = 0; d < devices; d++) {
    const model = profile.create(deviceRandom(seed, d), d);
    for (let t = START; t < START + hours * 3_600_000; t += stepMs) readings.push(model.next(t));
  }
  return readings;
}

function assertInRanges(profile: Profile, readings: Metrics[]): void {
  for (const reading of readings) {
    assert.deepEqual(Object.keys(reading).sort(), Object.keys(profile.ranges).sort(), `${profile.name}: metrics as documented`);
    for (const [metric, value] of Object.entries(reading)) {
      const range = profile.ranges[metric];
      assert.ok(range, `${profile.name}.${metric} documented`);
      if ("min" in range) {
        assert.equal(typeof value, "number", `${profile.name}.${metric} is a number`);
        assert.ok(
          (value as number) >= range.min && (value as number) <= range.max,
          `${profile.name}.${metric} = ${value} outside ${range.min} … ${range.max}`,
        );
      } else {
        assert.equal(typeof value, range.type, `${profile.name}.${metric} is a ${range.type}`);
      }
    }
  }
}

describe("built-in profiles", () => {
  for (const profile of Object.values(BUILT_IN_PROFILES)) {
    it(`${profile.name}: every metric stays in its documented range over two simulated days`, () => {
      assertInRanges(profile, sample(profile, 7));
    });

    it(`${profile.name}: the same seed gives the same signals, another seed other ones`, () => {
      assert.deepEqual(sample(profile, 3, 2, 2), sample(profile, 3, 2, 2));
      assert.notDeepEqual(sample(profile, 3, 2, 2), sample(profile, 4, 2, 2));
    });

    it(`${profile.name}: signals move (not constant)`, () => {
      const readings = sample(profile, 1, 1, 24);
      const numeric = Object.entries(profile.ranges).filter(([, r]) => "min" in r);
      const moving = numeric.filter(([name]) => new Set(readings.map((r) => r[name])).size > 1);
      assert.ok(moving.length >= numeric.length - 1, `${profile.name}: ${moving.length} of ${numeric.length} numeric metrics move`);
    });
  }

  it("thermostat: temperature follows the day and the heater, humidity moves against temperature", () => {
    const readings = sample(BUILT_IN_PROFILES.thermostat as Profile, 2, 1, 48, 60_000);
    assert.ok(readings.some((r) => r.heater_on === true) && readings.some((r) => r.heater_on === false), "the heater switches");
    const t = readings.map((r) => r.temperature as number);
    const h = readings.map((r) => r.humidity as number);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [mt, mh] = [mean(t), mean(h)];
    const covariance = mean(t.map((x, i) => (x - mt) * ((h[i] as number) - mh)));
    assert.ok(covariance < 0, `humidity against temperature (covariance ${covariance})`);
    const battery = readings.map((r) => r.battery as number);
    assert.ok((battery.at(-1) as number) < (battery[0] as number), "the battery drains");
  });

  it("an unknown profile name is a usage error naming --profile", () => {
    assert.throws(
      () => resolveProfile("toaster"),
      (e: unknown) => e instanceof UsageError && /--profile/.test(e.message),
    );
  });
});

describe("custom profiles", () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-sim-profile-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const yaml = `
name: greenhouse
metrics:
  temperature: { base: 24, daily: 5, walk: 0.1, noise: 0.2, spikeChance: 0.01, spike: 6, min: 5, max: 40, decimals: 2 }
  humidity: { base: 70, follows: temperature, factor: -2, noise: 1, min: 20, max: 100, decimals: 1 }
  vent_open: { type: boolean, chance: 0.2 }
  battery: { type: battery, full: 4.1, empty: 3.3, perReading: 0.001 }
`;

  it("a YAML profile loads and its metrics stay in their ranges", () => {
    const file = join(dir, "greenhouse.yaml");
    writeFileSync(file, yaml);
    const profile = resolveProfile(file);
    assert.equal(profile.name, "greenhouse");
    assert.equal(profile.model, "sim-greenhouse");
    assertInRanges(profile, sample(profile, 5, 3, 24));
  });

  it("a JSON profile loads", () => {
    const file = join(dir, "pump.json");
    writeFileSync(file, JSON.stringify({ name: "pump", metrics: { pressure: { base: 3, noise: 0.1, min: 0, max: 10 } } }));
    assertInRanges(loadCustomProfile(file), sample(loadCustomProfile(file), 1, 1, 1));
  });

  it("a broken profile is a usage error naming the file and the field", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, JSON.stringify({ name: "x", metrics: { a: { base: 1, min: 0 } } }));
    assert.throws(() => loadCustomProfile(file), /broken\.json: metrics\.a\.max must be a number/);
    writeFileSync(file, JSON.stringify({ name: "x", metrics: { a: { base: 1, min: 0, max: 2, follows: "b" } } }));
    assert.throws(() => loadCustomProfile(file), /metrics\.a\.follows must name a numeric metric defined above it/);
  });
});
