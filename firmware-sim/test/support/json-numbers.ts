/** Every number in `value` (deep), with its path; JSON's null (what NaN becomes) as NaN. */
export function numbers(value: unknown, path = ""): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (value === null) return [[path, Number.NaN]];
  if (typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) => numbers(v, `${path}.${key}`));
}
