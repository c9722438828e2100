import type { DeviceCredentials } from "./credentials-file.js";

/** Requests to the hub's HTTP API v1 at once. */
const CONCURRENCY = 16;

/** Run `task` over `items`, `CONCURRENCY` at a time, results in order. */
export async function inBatches<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += CONCURRENCY) {
    results.push(...(await Promise.all(items.slice(start, start + CONCURRENCY).map(task))));
  }
  return results;
}

/** Create `count` devices `${prefix}1 …` (with `labels`, if given) through `POST /api/v1/devices`; their tokens are in the answers. */
export async function provisionDevices(
  hubUrl: string,
  apiKey: string,
  prefix: string,
  count: number,
  labels?: Record<string, string>,
): Promise<DeviceCredentials[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  return inBatches(ids, async (id) => {
    const response = await fetch(new URL("/api/v1/devices", hubUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ id, name: id, labels }),
    });
    if (response.status !== 201) throw new Error(`creating ${id}: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { token: string };
    return { deviceId: id, token: body.token };
  });
}

/** One raw point as `GET /api/v1/devices/:id/telemetry/raw` returns it. */
export interface RawPoint {
  ts: number;
  metric: string;
  value: number | boolean | string;
}

/** Every raw point of one metric in `[from, to)`, page by page (`api.maxRawPoints` a page). */
export async function rawPoints(
  hubUrl: string,
  apiKey: string,
  deviceId: string,
  metric: string,
  from: number,
  to: number,
): Promise<RawPoint[]> {
  const points: RawPoint[] = [];
  let cursor = from;
  // Points at the cursor's timestamp already taken from the previous page.
  let skip = 0;
  for (;;) {
    const url = new URL(`/api/v1/devices/${encodeURIComponent(deviceId)}/telemetry/raw`, hubUrl);
    url.search = new URLSearchParams({ metric, from: String(cursor), to: String(to) }).toString();
    const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
    if (!response.ok) throw new Error(`reading ${deviceId}'s telemetry: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { data: RawPoint[]; truncated: boolean };
    points.push(...page.data.slice(skip));
    const last = page.data.at(-1);
    if (!page.truncated || last === undefined) return points;
    skip = page.data.filter((p) => p.ts === last.ts).length;
    if (skip === page.data.length) throw new Error(`reading ${deviceId}'s telemetry: more points at ts ${last.ts} than a page holds`);
    cursor = last.ts;
  }
}
