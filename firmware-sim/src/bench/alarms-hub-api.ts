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

/** Create each rule (`POST /api/v1/alarm-rules`), one after the other; answers their ids, in order. */
export async function createRules(hubUrl: string, apiKey: string, rules: readonly RuleDefinition[]): Promise<string[]> {
  const ids: string[] = [];
  for (const rule of rules) ids.push(((await create(hubUrl, apiKey, "/api/v1/alarm-rules", rule)) as { id: string }).id);
  return ids;
}

/** Create a notification channel (`POST /api/v1/notification-channels`). */
export async function createChannel(hubUrl: string, apiKey: string, channel: ChannelDefinition): Promise<void> {
  await create(hubUrl, apiKey, "/api/v1/notification-channels", channel);
}

/** Active alarms right now: all (`GET /api/v1/alarms/summary`), or one rule's (`GET /api/v1/alarms?status=active&ruleId=…`). */
export async function activeAlarms(hubUrl: string, apiKey: string, ruleId?: string): Promise<number> {
  const path =
    ruleId === undefined ? "/api/v1/alarms/summary" : `/api/v1/alarms?status=active&ruleId=${encodeURIComponent(ruleId)}&limit=1`;
  const response = await fetch(new URL(path, hubUrl), { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { active: number } | { total: number };
  return "active" in body ? body.active : body.total;
}

/**
 * Poll {@link activeAlarms} every 10 ms until `count` alarms (of `ruleId`, if given) are active;
 * resolves with `performance.now()` at the answer that said so. Rejects after `timeoutMs`,
 * saying how many were.
 */
export async function whenActive(hubUrl: string, apiKey: string, count: number, timeoutMs: number, ruleId?: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const active = await activeAlarms(hubUrl, apiKey, ruleId);
    const at = performance.now();
    if (active === count) return at;
    if (at > deadline) throw new Error(`${active} alarms active after ${timeoutMs} ms, waiting for ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
