import type pino from "pino";
import type { AlarmRepository } from "../storage/alarm-repository.js";
import type { Watch } from "./device-watches.js";
import type { EvaluationState } from "./evaluation-state.js";

/**
 * States written in one turn of the event loop (one transaction): a state with rate samples takes
 * ~30 µs to serialise and upsert, so a turn stays within a few ms.
 */
const STATE_CHUNK = 100;

/**
 * The evaluation states that changed since they were last written, and their writing: in slices
 * of {@link STATE_CHUNK} a turn of the event loop apart (a fleet of 1,000 devices with ten rules
 * changes 10,000 states a second; one block would show in every reading's latency). A state whose
 * steps are still being written is ahead of the stored alarms: it waits for them (they write it).
 */
export class StateWriter {
  private dirty: Watch[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly repository: AlarmRepository,
    /** Whether a watch is still the engine's (not replaced or dropped since it changed). */
    private readonly isCurrent: (watch: Watch) => boolean,
    private readonly log: pino.Logger,
  ) {}

  /** The watch's state changed. */
  changed(watch: Watch): void {
    if (watch.dirty) return;
    watch.dirty = true;
    this.dirty.push(watch);
  }

  /** Write what changed (one run at a time: a call during a run gets that run). */
  flush(): Promise<void> {
    this.writing ??= this.writeChanged().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  /** Write one state now (after an alarm step or a manual clear). */
  async writeNow(state: EvaluationState, watch?: Watch): Promise<void> {
    if (watch) watch.dirty = false;
    await this.repository.saveStates([state], []);
  }

  private async writeChanged(): Promise<void> {
    const candidates = this.dirty;
    this.dirty = [];
    for (let i = 0; i < candidates.length; i += STATE_CHUNK) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const states: EvaluationState[] = [];
      const written: Watch[] = [];
      for (const watch of candidates.slice(i, i + STATE_CHUNK)) {
        if (!this.isCurrent(watch) || watch.state === null) {
          watch.dirty = false;
        } else if (watch.pendingSteps > 0) {
          this.dirty.push(watch);
        } else {
          watch.dirty = false;
          written.push(watch);
          states.push(watch.state);
        }
      }
      if (states.length === 0) continue;
      try {
        await this.repository.saveStates(states, []);
      } catch (error) {
        this.log.error({ err: error, states: states.length }, "could not save alarm evaluation states; trying again");
        for (const watch of written) this.changed(watch);
      }
    }
  }
}
