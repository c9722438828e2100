import type { PrivateInfluxd } from "@telehub/hub/influxd";

/** Readings InfluxDB holds in a database: each sample reading has one `temperature` value in the number measurement. */
export async function readingsIn(influxd: PrivateInfluxd): Promise<number> {
  const response = await fetch(`${influxd.url}/query`, {
    method: "POST",
    body: new URLSearchParams({ db: influxd.database, q: 'SELECT count("temperature") FROM "telemetry"' }),
  });
  if (!response.ok) throw new Error(`counting readings in InfluxDB: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/**
 * Wait until InfluxDB holds `expected` readings (the side's spool or JetStream backlog drained),
 * counting every 250 ms; resolves with the count, which may be short of `expected` after `timeoutMs`
 * (the caller reports it: a reading acknowledged and never stored is the failure to show, not hide).
 */
export async function waitForStored(influxd: PrivateInfluxd, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await readingsIn(influxd);
    if (stored >= expected || Date.now() > deadline) return stored;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
