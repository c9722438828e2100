/** What the schedule needs to know about a run. */
export interface ScheduleSettings {
  devices: number;
  /** Readings per second per device. */
  rate: number;
  /** Each device's start, ms after the run's start (the ramp). */
  startOffsetMs: readonly number[];
  /** A `--duration` run: sending stops this long after the start … */
  durationMs?: number | undefined;
  /** … or a `--readings` run: each device sends this many. */
  readingsPerDevice?: number | undefined;
}

/**
 * Which readings each device owes at a given time. Device *i* of *n* sends its first reading
 * `i/n` of a period after it starts, then one every `1/rate` s. Every device has a fixed total
 * for the run (its `--readings`, or what its schedule reaches at `--duration`), so a burst
 * only sends readings early: it never adds to the run's total.
 */
export class SendSchedule {
  private readonly totals: readonly number[];

  constructor(private readonly settings: ScheduleSettings) {
    const { durationMs, readingsPerDevice } = settings;
    this.totals = settings.startOffsetMs.map(
      (_, i) => readingsPerDevice ?? (durationMs === undefined ? Number.POSITIVE_INFINITY : this.scheduledBefore(i, durationMs)),
    );
  }

  /** Readings device `i` sends in the whole run (∞ for a run without an end). */
  total(i: number): number {
    return this.totals[i] ?? 0;
  }

  /** How many of the `asked` readings of a burst device `i` may send after `sent`: never past its total. */
  burst(i: number, sent: number, asked: number): number {
    return Math.max(0, Math.min(asked, this.total(i) - sent));
  }

  /** Readings device `i` should have sent `sinceStartMs` after the run's start. */
  due(i: number, sinceStartMs: number): number {
    return Math.min(this.total(i), this.scheduled(i, sinceStartMs));
  }

  /** Readings device `i` has due at `sinceStartMs`: those scheduled at or before it. */
  private scheduled(i: number, sinceStartMs: number): number {
    const periods = this.periods(i, sinceStartMs);
    return periods < 0 ? 0 : Math.floor(periods);
  }

  /** Readings device `i` has due strictly before `sinceStartMs` (the end of a `--duration` run). */
  private scheduledBefore(i: number, sinceStartMs: number): number {
    const periods = this.periods(i, sinceStartMs);
    return periods <= 0 ? 0 : Math.max(0, Math.ceil(periods) - 1);
  }

  /** Periods since device `i`'s first reading was due, plus one (≤ 0: before its start). */
  private periods(i: number, sinceStartMs: number): number {
    const { rate, devices } = this.settings;
    const since = sinceStartMs - (this.settings.startOffsetMs[i] ?? 0);
    if (since < 0) return -1;
    // Phases spread over one period so a fleet at the same rate does not send in lockstep.
    const phase = (i / devices) * (1000 / rate);
    return ((since + (1000 / rate - phase)) * rate) / 1000;
  }
}
