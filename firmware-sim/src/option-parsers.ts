import { InvalidArgumentError } from "commander";

/** Commander argument parsers; their messages complete "option '--x <v>' argument 'v' is invalid." */

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("It takes a whole number ≥ 1.");
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("It takes a whole number ≥ 0.");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("It takes a number > 0, e.g. 0.5 or 10.");
  return n;
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "500ms", "10s", "1.5m", "2h" → ms. A unit is required (except for 0). */
export function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const unit = match?.[2];
  if (!match || (unit === undefined && Number(match[1]) !== 0)) {
    throw new InvalidArgumentError("It takes a duration with a unit: 500ms, 10s, 2m or 1h.");
  }
  return Number(match[1]) * (unit === undefined ? 0 : (UNITS_MS[unit] as number));
}

/** A positive duration. */
export function positiveDuration(value: string): number {
  const ms = duration(value);
  if (ms <= 0) throw new InvalidArgumentError("It takes a duration > 0: 500ms, 10s, 2m or 1h.");
  return ms;
}

/** An http(s) or ws(s) URL. */
export function hubUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("It takes the hub's URL, e.g. http://127.0.0.1:8080.");
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol))
    throw new InvalidArgumentError("It takes an http://, https://, ws:// or wss:// URL.");
  return value;
}

/** The same base URL over http(s), for the HTTP API. */
export function apiBase(url: string): string {
  return url.replace(/^ws(s?):/, "http$1:");
}
