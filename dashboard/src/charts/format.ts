/**
 * Numbers as an operator reads them: bytes with binary prefixes ("22.3 GiB"), durations
 * ("1 h 2 min"), percentages and temperatures as they are ("45 %", "21.5 °C"), everything else
 * with SI prefixes ("1.23 kW", "1.2 k"). English number formatting, whatever the browser's locale.
 */

/** Units printed after the value as they are: an SI prefix would mean nothing on them. */
const PLAIN_UNITS = new Set(["%", "°C", "°F", "K", "ppm", "ppb", "dB", "dBm", "dBi", "°", "pH"]);
const BINARY_PREFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;
const SI_PREFIXES = [
  { prefix: "P", factor: 1e15 },
  { prefix: "T", factor: 1e12 },
  { prefix: "G", factor: 1e9 },
  { prefix: "M", factor: 1e6 },
  { prefix: "k", factor: 1e3 },
  { prefix: "", factor: 1 },
  { prefix: "m", factor: 1e-3 },
  { prefix: "µ", factor: 1e-6 },
  { prefix: "n", factor: 1e-9 },
] as const;
const DURATION_UNITS = [
  { unit: "d", ms: 86_400_000 },
  { unit: "h", ms: 3_600_000 },
  { unit: "min", ms: 60_000 },
  { unit: "s", ms: 1_000 },
  { unit: "ms", ms: 1 },
] as const;

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en-US", options);
    formatters.set(key, format);
  }
  return format;
}

/** `value` with `decimals` digits after the point, or about three significant digits. */
function plainNumber(value: number, decimals?: number): string {
  if (value === 0) return "0";
  if (decimals !== undefined) return numberFormat({ minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
  const size = Math.abs(value);
  if (size < 1) return numberFormat({ maximumSignificantDigits: 3 }).format(value);
  return numberFormat({ maximumFractionDigits: size >= 100 ? 0 : size >= 10 ? 1 : 2 }).format(value);
}

function withUnit(number: string, unit: string): string {
  if (!unit) return number;
  return unit.startsWith("/") ? `${number}${unit}` : `${number} ${unit}`;
}

type Scaled = { factor: number; unit: string };

/** The prefix (and factor) that brings `size` (≥ 0) between 1 and 1,000 (1,024 for bytes). */
function scaleFor(size: number, unit: string): Scaled {
  if (unit === "B" || unit === "B/s") {
    let step = 0;
    while (step < BINARY_PREFIXES.length - 1 && size >= 1024 ** (step + 1)) step++;
    return { factor: 1024 ** step, unit: `${BINARY_PREFIXES[step]}${unit}` };
  }
  if (PLAIN_UNITS.has(unit)) return { factor: 1, unit };
  // Without a unit, "500 m" would read as metres: no sub-unit prefixes then.
  const choices = unit && !unit.startsWith("/") ? SI_PREFIXES : SI_PREFIXES.filter((p) => p.factor >= 1);
  const found = choices.find((p) => size >= p.factor) ?? choices[choices.length - 1] ?? { prefix: "", factor: 1 };
  return size === 0 ? { factor: 1, unit } : { factor: found.factor, unit: `${found.prefix}${unit}` };
}

/** "250 ms", "12.5 s", "3 min 20 s", "1 h 2 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1_000) return `${plainNumber(ms)} ms`;
  if (ms < 60_000) return `${plainNumber(ms / 1_000)} s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000) * 1_000;
  for (const { unit, ms: size } of DURATION_UNITS.slice(0, 4)) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count} ${unit}`);
    if (parts.length === 2) break;
  }
  // "2 h 0 min" says no more than "2 h".
  return parts.filter((part, i) => i === 0 || !part.startsWith("0 ")).join(" ");
}

/**
 * A value with its unit, for tooltips and tiles: `formatValue(23_972_343_040, "B")` is
 * "22.3 GiB", `(45, "%")` "45 %", `(3_720, "s")` "1 h 2 min", `(1_234)` "1.23 k",
 * `(21.5, "°C")` "21.5 °C". `decimals` fixes the digits after the point of a value printed
 * without a prefix; a prefixed value keeps about three significant digits.
 */
export function formatValue(value: number, unit?: string, decimals?: number): string {
  if (!Number.isFinite(value)) return "–";
  if (unit === "s") return formatDuration(value * 1_000);
  if (unit === "ms") return formatDuration(value);
  const { factor, unit: shown } = scaleFor(Math.abs(value), unit ?? "");
  return withUnit(plainNumber(value / factor, factor === 1 ? decimals : undefined), shown);
}

/** Digits after the point that tell ticks `increment` apart. */
function decimalsFor(increment: number): number {
  if (!(increment > 0)) return 0;
  return Math.min(6, Math.max(0, Math.ceil(-Math.log10(increment) - 1e-9)));
}

/**
 * Axis labels: one prefix for the whole axis (chosen by its largest tick) and just enough
 * digits to tell ticks `increment` apart, so an axis reads "20 GiB, 20.5 GiB, 21 GiB" and
 * never repeats a label.
 */
export function formatTicks(ticks: readonly number[], increment: number, unit?: string): string[] {
  const largest = ticks.reduce((most, tick) => Math.max(most, Math.abs(tick)), 0);
  if (unit === "s" || unit === "ms") {
    const toMs = unit === "s" ? 1_000 : 1;
    const chosen = DURATION_UNITS.find((d) => largest * toMs >= d.ms) ?? { unit: "ms", ms: 1 };
    const digits = decimalsFor((increment * toMs) / chosen.ms);
    return ticks.map((tick) => `${numberFormat({ maximumFractionDigits: digits }).format((tick * toMs) / chosen.ms)} ${chosen.unit}`);
  }
  const { factor, unit: shown } = scaleFor(largest, unit ?? "");
  const digits = decimalsFor(increment / factor);
  return ticks.map((tick) => withUnit(numberFormat({ maximumFractionDigits: digits }).format(tick / factor), shown));
}
