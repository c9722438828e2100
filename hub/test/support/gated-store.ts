import type { AppendOutcome, TelemetryBatch, TelemetryStore } from "../../src/storage/telemetry-store.js";

/**
 * A real telemetry store behind a gate the test opens: `append` waits until `open()` (or
 * fails while `failing` is set), so a test can see what the hub does before a commit.
 */
export function gate(store: TelemetryStore): TelemetryStore & { open(): void; close(): Promise<void>; held: number; failing: boolean } {
  let release: (() => void) | undefined;
  let opened = false;
  const gated = Object.create(store) as TelemetryStore & { open(): void; held: number; failing: boolean };
  gated.held = 0;
  gated.failing = false;
  gated.append = async (batches: readonly TelemetryBatch[]): Promise<AppendOutcome[]> => {
    if (gated.failing) throw new Error("store failure injected by the test");
    if (!opened) {
      gated.held += batches.length;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    }
    return store.append(batches);
  };
  gated.open = () => {
    opened = true;
    release?.();
  };
  return gated;
}
