import type { Severity } from "@telehub/hub";

/** Alarm severities, most severe first (the hub's order; a copy: the dashboard imports only types from the hub). */
export const SEVERITIES: readonly Severity[] = ["critical", "major", "minor", "warning"];

/** The severities as select choices (id and name the severity). */
export const SEVERITY_CHOICES = SEVERITIES.map((severity) => ({ id: severity, name: severity }));

/** Rank of a severity: critical 4 … warning 1 (higher is more severe). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

/** What a person reads: "Critical", "Major", "Minor", "Warning". */
export function severityLabel(severity: Severity): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}

/**
 * Red, deep orange, orange, yellow: the convention of NOC tools (Zabbix's disaster … warning).
 * Dark mode gets lighter tints of the same hues, so a shaded span and a chip stand out on a dark
 * background as on a white one.
 */
const COLORS: Record<"light" | "dark", Record<Severity, string>> = {
  light: { critical: "#d32f2f", major: "#e64a19", minor: "#f57c00", warning: "#fbc02d" },
  dark: { critical: "#ef5350", major: "#ff7043", minor: "#ffa726", warning: "#ffee58" },
};

/** The colour of a severity in a theme (`#rrggbb`). */
export function severityColor(severity: Severity, mode: "light" | "dark"): string {
  return COLORS[mode][severity];
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

/** Text on a chip of the severity's colour: black or white, whichever contrasts more. */
export function severityTextColor(severity: Severity, mode: "light" | "dark"): "#000000" | "#ffffff" {
  const fill = severityColor(severity, mode);
  return contrastRatio(fill, "#000000") >= contrastRatio(fill, "#ffffff") ? "#000000" : "#ffffff";
}
