import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, formatTicks, formatValue } from "../../src/charts/format.js";
import { rateOf } from "../../src/charts/rate.js";

describe("formatValue: numbers as an operator reads them", () => {
  it("bytes with binary (IEC) prefixes: 23,972,343,040 B is 22.3 GiB, not 72343040", () => {
    assert.equal(formatValue(23_972_343_040, "B"), "22.3 GiB");
    assert.equal(formatValue(512, "B"), "512 B");
    assert.equal(formatValue(1_024, "B"), "1 KiB");
    assert.equal(formatValue(1_536, "B"), "1.5 KiB");
    assert.equal(formatValue(5 * 1024 ** 2, "B/s"), "5 MiB/s");
    assert.equal(formatValue(3 * 1024 ** 4, "B"), "3 TiB");
  });

  it("percentages and temperatures as they are, with the unit after a space", () => {
    assert.equal(formatValue(45, "%"), "45 %");
    assert.equal(formatValue(45.678, "%"), "45.7 %");
    assert.equal(formatValue(21.5, "°C"), "21.5 °C");
    assert.equal(formatValue(-3.25, "°C"), "-3.25 °C");
    assert.equal(formatValue(1_234, "ppm"), "1,234 ppm");
    assert.equal(formatValue(-67, "dBm"), "-67 dBm");
  });

  it("durations in seconds or milliseconds as h/min/s", () => {
    assert.equal(formatValue(3_720, "s"), "1 h 2 min");
    assert.equal(formatValue(12.5, "s"), "12.5 s");
    assert.equal(formatValue(250, "ms"), "250 ms");
    assert.equal(formatValue(200, "s"), "3 min 20 s");
    assert.equal(formatValue(2 * 86_400 + 3 * 3_600 + 59, "s"), "2 d 3 h");
    assert.equal(formatValue(7_200, "s"), "2 h");
    assert.equal(formatDuration(-1_500), "-1.5 s");
  });

  it("other units and none with SI prefixes, about three significant digits", () => {
    assert.equal(formatValue(1_234), "1.23 k");
    assert.equal(formatValue(1_234_567, "W"), "1.23 MW");
    assert.equal(formatValue(0.0123, "A"), "12.3 mA");
    assert.equal(formatValue(230.4, "V"), "230 V");
    assert.equal(formatValue(0.5), "0.5", "no milli prefix without a unit: '500 m' would read as metres");
    assert.equal(formatValue(12.5, "/s"), "12.5/s");
    assert.equal(formatValue(0), "0");
  });

  it("decimals fix the digits after the point of an unprefixed value", () => {
    assert.equal(formatValue(21, "°C", 1), "21.0 °C");
    assert.equal(formatValue(4.56789, undefined, 2), "4.57");
    assert.equal(formatValue(Number.NaN, "B"), "–");
  });
});

describe("formatTicks: axis labels", () => {
  it("one prefix per axis and enough digits to tell ticks apart", () => {
    const gib = 1024 ** 3;
    assert.deepEqual(formatTicks([20 * gib, 20.5 * gib, 21 * gib], 0.5 * gib, "B"), ["20 GiB", "20.5 GiB", "21 GiB"]);
    assert.deepEqual(formatTicks([0, 500, 1_000, 1_500], 500, "W"), ["0 kW", "0.5 kW", "1 kW", "1.5 kW"]);
    assert.deepEqual(formatTicks([20, 20.2, 20.4], 0.2, "°C"), ["20 °C", "20.2 °C", "20.4 °C"]);
  });

  it("labels never repeat where plain formatting would round them together", () => {
    const ticks = [1_000_000_100, 1_000_000_200, 1_000_000_300];
    const labels = formatTicks(ticks, 100, "B");
    assert.equal(new Set(labels).size, ticks.length, labels.join(", "));
  });

  it("durations in one unit chosen by the largest tick", () => {
    assert.deepEqual(formatTicks([0, 1_800, 3_600, 5_400], 1_800, "s"), ["0 h", "0.5 h", "1 h", "1.5 h"]);
    assert.deepEqual(formatTicks([0, 200, 400], 200, "ms"), ["0 ms", "200 ms", "400 ms"]);
  });
});

describe("rateOf: counters as a rate per second", () => {
  it("divides each increase by the seconds since the previous sample", () => {
    assert.deepEqual(rateOf([0, 1_000, 3_000], [100, 150, 250]), [null, 50, 50]);
  });

  it("a decrease is a counter reset: no rate there (a gap), never a negative spike", () => {
    const rates = rateOf([0, 1_000, 2_000, 3_000], [100, 200, 5, 25]);
    assert.deepEqual(rates, [null, 100, null, 20]);
  });

  it("a null sample breaks the rate: the next sample has no previous one", () => {
    assert.deepEqual(rateOf([0, 1_000, 2_000, 3_000], [0, 10, null, 40]), [null, 10, null, null]);
  });
});
