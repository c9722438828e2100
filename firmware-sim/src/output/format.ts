/** A number with thousands separators and `digits` decimals; "n/a" for NaN/∞. */
export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";
}

/** Milliseconds as "12.3 ms"; "n/a" for NaN/∞ (no ack yet). */
export function ms(n: number): string {
  return Number.isFinite(n) ? `${fmt(n, 1)} ms` : "n/a";
}

/** A text progress bar `[#####.....]` for a fraction 0 … 1. */
export function progressBar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${fmt(fraction * 100, 0).padStart(3)} %`;
}

/** Refusals by code, most first: "TH_HUB_BUSY 1,600, HTTP 429 3"; "" when there were none. */
export function refusalList(refused: Readonly<Record<string, number>>): string {
  return Object.entries(refused)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${fmt(n)}`)
    .join(", ");
}

/** "1 reading", "2 readings", "0.5 readings": `count` (up to 3 decimals) and `noun`, singular only for exactly 1. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString("en-US", { maximumFractionDigits: 3 })} ${count === 1 ? noun : pluralNoun}`;
}
