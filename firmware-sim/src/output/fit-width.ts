/** Text cut to `width` columns, ending in "…" when something was cut. */
export function clip(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, Math.max(0, width)) : `${text.slice(0, width - 1)}…`;
}

/**
 * Fields packed into as few lines as fit in `width` columns, `separator` between the fields of
 * a line; a field wider than a line on its own is clipped. No line is longer than `width`.
 */
export function packFields(fields: readonly string[], width: number, separator = "  "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const field of fields) {
    if (line !== "" && line.length + separator.length + field.length <= width) {
      line += separator + field;
      continue;
    }
    if (line !== "") lines.push(line);
    line = clip(field, width);
  }
  if (line !== "") lines.push(line);
  return lines;
}
