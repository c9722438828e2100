import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countBreaks, gapThreshold, isolatedIndices, withGaps } from "../../src/charts/gaps.js";

describe("withGaps: a hole in the data is drawn as a hole", () => {
  it("a 40 s outage in 1 s readings gets a null between its sides", () => {
    const ts = [0, 1_000, 2_000, 3_000, 43_000, 44_000, 45_000];
    const gapped = withGaps({ ts, values: [[1, 2, 3, 4, 5, 6, 7]] });
    assert.equal(gapped.ts.length, ts.length + 1);
    const hole = gapped.values[0]?.indexOf(null) ?? -1;
    assert.ok(hole > 0, "a null was inserted");
    assert.ok((gapped.ts[hole] ?? 0) > 3_000 && (gapped.ts[hole] ?? 0) < 43_000, "inside the hole");
    assert.deepEqual(
      gapped.values[0]?.filter((v) => v !== null),
      [1, 2, 3, 4, 5, 6, 7],
      "every reading kept",
    );
  });

  it("regular data is left as it is, also when readings are sparser than the buckets", () => {
    const ts = [0, 5_000, 10_000, 15_000, 20_000];
    const data = { ts, values: [[1, 2, 3, 4, 5]] };
    assert.deepEqual(withGaps(data, 500), data, "5 s readings in 500 ms buckets are no gaps");
    assert.equal(gapThreshold(ts, 500), 15_000);
    assert.equal(gapThreshold([0, 1_000], 4_000), 8_000, "more than two buckets");
  });

  it("each series breaks across its own holes; a band breaks with its line", () => {
    const ts = [0, 1_000, 2_000, 3_000, 50_000, 51_000];
    const data = {
      ts,
      values: [
        [1, 1, 1, 1, 1, 1],
        [2, 2, undefined, 2, undefined, 2],
      ],
      min: [[0, 0, 0, 0, 0, 0], []],
      max: [[3, 3, 3, 3, 3, 3], []],
    };
    const gapped = withGaps(data);
    const hole = gapped.values[0]?.indexOf(null) ?? -1;
    assert.ok(hole > 0);
    assert.equal(gapped.min?.[0]?.[hole], null);
    assert.equal(gapped.max?.[0]?.[hole], null);
    const second = gapped.values[1]?.indexOf(null) ?? -1;
    assert.ok((gapped.ts[second] ?? 0) > 3_000 && (gapped.ts[second] ?? 0) < 51_000, "the second series breaks across its own hole too");
  });
});

describe("isolatedIndices: samples with no neighbour are drawn as points", () => {
  it("a single bucket, and a sample between two gaps", () => {
    assert.deepEqual(isolatedIndices([5]), [0]);
    assert.deepEqual(isolatedIndices([1, 2, null, 3, null, 4, 5]), [3]);
    assert.deepEqual(isolatedIndices([1, undefined, 2]), [], "undefined is joined over");
    assert.deepEqual(isolatedIndices([null, 1, undefined, null]), [1]);
  });
});

describe("countBreaks: the breaks inside a line", () => {
  it("counts null runs between samples, not leading or trailing nulls", () => {
    assert.equal(countBreaks([null, 1, 2, null, null, 3, undefined, null, 4, null]), 2);
    assert.equal(countBreaks([null, 1, 2, 3]), 0, "a counter's first sample has no rate: not a break");
  });
});
