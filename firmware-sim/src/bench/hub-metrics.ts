/** A benchmark hub's `/metrics` text (Prometheus exposition), read with its admin key. */
export async function hubMetrics(hub: { url: string; adminKey: string }): Promise<string> {
  const response = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${hub.adminKey}` } });
  return response.text();
}

/** The value of metric `name` without labels (its `name value` line) in `/metrics` text; NaN when absent. */
export function metricValue(text: string, name: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}
