/** The hub's label rules (docs/api.md, "Devices"): checked in the form so a save is not refused. */
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9_.:/-]{1,64}$/;
export const MAX_LABELS = 64;
export const MAX_LABEL_VALUE_LENGTH = 256;

/** One row of the labels editor. */
export interface LabelRow {
  key: string;
  value: string;
}

export function rowsOf(labels: Record<string, string> | null | undefined): LabelRow[] {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value }));
}

/** The labels of the rows; rows with an empty key and value are ignored. */
export function labelsOf(rows: readonly LabelRow[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const row of rows) if (row.key !== "" || row.value !== "") labels[row.key.trim()] = row.value;
  return labels;
}

/** What is wrong with the rows, or undefined. */
export function labelRowsError(rows: readonly LabelRow[]): string | undefined {
  const used = rows.filter((row) => row.key !== "" || row.value !== "");
  if (used.length > MAX_LABELS) return `at most ${MAX_LABELS} labels`;
  const seen = new Set<string>();
  for (const { key, value } of used) {
    const name = key.trim();
    if (!LABEL_KEY_PATTERN.test(name)) return `label key "${name}": 1–64 characters of A-Z a-z 0-9 _ . : / -`;
    if (seen.has(name)) return `label key "${name}" is there twice`;
    seen.add(name);
    if (value.length > MAX_LABEL_VALUE_LENGTH) return `label ${name}: at most ${MAX_LABEL_VALUE_LENGTH} characters`;
  }
  return undefined;
}

/** `key=value`, as the list's label filter and the chips write a label. */
export function labelText(key: string, value: string): string {
  return `${key}=${value}`;
}
