/**
 * One sample of the hub's Prometheus text (`GET /metrics`), e.g. `sample(text, "telehub_rejected_total", 'code="TH_FLOOD"')`;
 * 0 when absent (a counter that never moved has no labelled sample).
 */
export function sample(text: string, name: string, labels?: string): number {
  const escaped = `${name}${labels ? `{${labels}}` : ""}`.replace(/[{}.*+?^$()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^${escaped} (\\S+)$`, "m").exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/** The hub's `/metrics` text, read with an API key. */
export async function readMetrics(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  return response.text();
}
