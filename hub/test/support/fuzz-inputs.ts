import { pick, type Random } from "./prng.js";

/** Strings a confused or hostile client sends where a name or a value belongs. */
export const HOSTILE_STRINGS = ["", "x".repeat(100), "\u0000\uffff\ud800", "../../etc/passwd", "<script>", "a b"];

/** Any JSON value: numbers at the edges, hostile strings (`strings`), huge strings, prototype keys, nested arrays and objects. */
export function randomJsonValue(random: Random, strings: readonly string[] = HOSTILE_STRINGS, depth = 0): unknown {
  switch (Math.floor(random() * (depth > 2 ? 7 : 9))) {
    case 0:
      return Math.floor(random() * 2 ** 32) - 2 ** 31;
    case 1:
      return pick(random, [1e308, -1, 0.5, 2 ** 53 + 1, -(2 ** 63), 9_223_372_036_855]);
    case 2:
      return random() < 0.5;
    case 3:
      return pick(random, strings);
    case 4:
      return null;
    case 5:
      return "y".repeat(pick(random, [65, 20_000, 300_000]));
    case 6:
      return pick(random, ["__proto__", "constructor", "prototype"]);
    case 7:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJsonValue(random, strings, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, randomJsonValue(random, strings, depth + 1)]),
      );
  }
}

/** A JSON payload, sometimes cut short, with a byte changed, or replaced by a bare literal (or one of `literals`). */
export function damagedPayload(random: Random, payload: string, literals: readonly string[] = []): string {
  switch (Math.floor(random() * 8)) {
    case 0:
      return payload.slice(0, Math.floor(random() * payload.length));
    case 1: {
      const at = Math.floor(random() * payload.length);
      return payload.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + payload.slice(at + 1);
    }
    case 2:
      return pick(random, ["", "null", "[]", "42", '"text"', "{", "}", "{}", '{"__proto__":{"polluted":true}}', ...literals]);
    default:
      return payload;
  }
}

/** The Content-Type a fuzzed body is sent with: mostly JSON, sometimes another type or none. */
export function fuzzedContentType(random: Random): string | undefined {
  return pick(random, [
    "application/json",
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    undefined,
  ]);
}
