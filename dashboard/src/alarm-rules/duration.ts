/**
 * Durations as operators type and read them: "5 min", "1 h 30 min", "90 s", "2 d", "0".
 * Inputs hold this text; the rule and channel definitions hold milliseconds.
 */

const UNITS: readonly { names: readonly string[]; ms: number; shown: string }[] = [
  { names: ["d", "day", "days"], ms: 86_400_000, shown: "d" },
  { names: ["h", "hr", "hrs", "hour", "hours"], ms: 3_600_000, shown: "h" },
  { names: ["m", "min", "mins", "minute", "minutes"], ms: 60_000, shown: "min" },
  { names: ["s", "sec", "secs", "second", "seconds"], ms: 1_000, shown: "s" },
  { names: ["ms"], ms: 1, shown: "ms" },
];

const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;

/** The milliseconds `text` names ("5 min", "1h30m", "0"); undefined when it is not a duration. */
export function parseDuration(text: string | null | undefined): number | undefined {
  const input = (text ?? "").trim().toLowerCase();
  if (input === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(input)) return Number(input) === 0 ? 0 : undefined;
  let total = 0;
  let consumed = "";
  for (const match of input.matchAll(PART)) {
    const unit = UNITS.find((u) => u.names.includes(match[2] as string));
    if (!unit) return undefined;
    total += Number(match[1]) * unit.ms;
    consumed += match[0];
  }
  // Every character but spaces must belong to a number-and-unit part.
  if (consumed.replace(/\s/g, "") !== input.replace(/\s/g, "")) return undefined;
  return Math.round(total);
}

/** Exact text of `ms` for an input: "1 h 30 min", "90 s" reads "1 min 30 s", 0 reads "0". */
export function durationText(ms: number): string {
  if (ms === 0) return "0";
  const parts: string[] = [];
  let rest = ms;
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.ms);
    if (count > 0) parts.push(`${count} ${unit.shown}`);
    rest -= count * unit.ms;
  }
  return parts.join(" ");
}

/** react-admin validator of a duration input: empty is left to `required`; at most `maxMs`. */
export function validateDuration(maxMs: number) {
  return (value: string | undefined): string | undefined => {
    if (value === undefined || value.trim() === "") return undefined;
    const ms = parseDuration(value);
    if (ms === undefined) return 'A duration like "5 min", "1 h 30 min", "90 s" or 0';
    if (ms > maxMs) return `At most ${durationText(maxMs)}`;
    return undefined;
  };
}
