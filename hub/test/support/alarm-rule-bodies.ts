/** A temperature condition with two levels: major above 50, critical above 80 (the API tests' rule). */
export const TOO_HOT_CONDITION = {
  kind: "metric",
  metric: "temperature",
  levels: [
    { severity: "major", op: "above", value: 50 },
    { severity: "critical", op: "above", value: 80 },
  ],
} as const;
