import type { AppendOutcome, TelemetryBatch, TelemetryStore } from "../../src/storage/telemetry-store.js";

/** A real store whose commits wait while the test holds them (`hold()`, then `release()`); `waiting` counts the batches that waited. */
export type HoldableStore = TelemetryStore & { hold(): void; release(): void; waiting: number };

/**
 * Unlike gated-store.ts's gate, which opens once for good, this one closes again: one hub can hold
 * commits in one test and run freely in the others.
 */
export function holdable(store: TelemetryStore): HoldableStore {
  let held: Promise<void> | undefined;
  let release = (): void => {};
  const gated = Object.create(store) as HoldableStore;
  gated.waiting = 0;
  gated.append = async (batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]> => {
    if (held) {
      gated.waiting += batches.length;
      await held;
    }
    return store.append(batches);
  };
  gated.hold = () => {
    held = new Promise((resolve) => (release = resolve));
  };
  gated.release = () => {
    held = undefined;
    release();
  };
  return gated;
}
