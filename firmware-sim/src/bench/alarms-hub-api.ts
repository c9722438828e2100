import type { ChannelDefinition, RuleDefinition } from "@telehub/hub";

/** `POST` `body` to `path` of the hub's API; the answer's JSON, or an error unless 201. */
async function create(hubUrl: string, apiKey: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, hubUrl), {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Create each rule (`POST /api/v1/alarm-rules`), one after the other. */
export async function createRules(hubUrl: string, apiKey: string, rules: readonly RuleDefinition[]): Promise<void> {
  for (const rule of rules) await create(hubUrl, apiKey, "/api/v1/alarm-rules", rule);
}

/** Create a notification channel (`POST /api/v1/notification-channels`). */
export async function createChannel(hubUrl: string, apiKey: string, channel: ChannelDefinition): Promise<void> {
  await create(hubUrl, apiKey, "/api/v1/notification-channels", channel);
}

/** Active alarms right now (`GET /api/v1/alarms/summary`). */
export async function activeAlarms(hubUrl: string, apiKey: string): Promise<number> {
  const response = await fetch(new URL("/api/v1/alarms/summary", hubUrl), { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) throw new Error(`GET /api/v1/alarms/summary: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { active: number }).active;
}

/**
 * Poll the summary every `intervalMs` until `count` alarms are active; resolves with
 * `performance.now()` at the answer that said so. Rejects after `timeoutMs`, saying how many were.
 */
export async function whenActive(hubUrl: string, apiKey: string, count: number, timeoutMs: number, intervalMs = 10): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const active = await activeAlarms(hubUrl, apiKey);
    const at = performance.now();
    if (active === count) return at;
    if (at > deadline) throw new Error(`${active} alarms active after ${timeoutMs} ms, waiting for ${count}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
