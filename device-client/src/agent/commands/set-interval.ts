import type { CommandHandler } from "../../node/index.js";

/** The shortest and longest interval the hub may set, in seconds. */
export const INTERVAL_RANGE = { min: 1, max: 86_400 } as const;

/** Check an interval the hub sent (`set_interval`'s `seconds`, desired `interval_s`); throws a message for the hub. */
export function checkInterval(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < INTERVAL_RANGE.min || value > INTERVAL_RANGE.max) {
    throw new Error(
      `${what} must be a number of seconds from ${INTERVAL_RANGE.min} to ${INTERVAL_RANGE.max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `set_interval { seconds }`: collect every `seconds` from now on, also after a restart. Answers `{ interval_s }`. */
export function setIntervalCommand(apply: (seconds: number) => void): CommandHandler {
  return (args) => {
    const seconds = checkInterval(args.seconds, "seconds");
    apply(seconds);
    return { interval_s: seconds };
  };
}
