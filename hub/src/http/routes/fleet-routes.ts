import { METRIC_NAME_PATTERN } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import type { LatestValue } from "../../storage/telemetry-store.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PATTERN, errorResponses, METRIC_VALUE_SCHEMA, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

/** Most devices and metrics one `/fleet/latest` call may name. */
export const MAX_LATEST_DEVICES = 200;
export const MAX_LATEST_METRICS = 16;
/** Devices whose newest values are read at once (each is a store query). */
const LATEST_CONCURRENCY = 8;

const DEVICE_ID = new RegExp(DEVICE_ID_PATTERN);

const fieldCounts = (description: string) =>
  ({
    type: "array",
    description,
    items: {
      type: "object",
      required: ["value", "count"],
      properties: { value: { type: ["string", "null"] }, count: { type: "integer" } },
    },
  }) as const;

/** A comma-separated list of names by a rule, at most `max`, each once. */
function listOf(text: string, what: string, rule: RegExp, max: number): string[] {
  const names = [...new Set(text.split(",").filter((name) => name !== ""))];
  if (names.length > max) throw new ApiError("TH_API_VALIDATION", `at most ${max} ${what}s, got ${names.length}`);
  const wrong = names.find((name) => !rule.test(name));
  if (wrong !== undefined) throw new ApiError("TH_API_VALIDATION", `${JSON.stringify(wrong)} is not a valid ${what}`);
  return names;
}

/** Run `task` over `items`, `concurrency` at a time. */
async function forEachLimited<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** The fleet overview's reads: counts by state and field, and the newest values of many devices in one call. */
export function registerFleetRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { staleAfterMs } = deps.config.live;

  http.get(
    "/fleet/summary",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["fleet"],
        summary: "Device counts by state, firmware, model, profile and label",
        description:
          "`total` = `online` + `offline` + `never` + `revoked`; `stale` counts the online devices whose newest reading since they connected " +
          `is older than \`live.staleAfterMs\` (${staleAfterMs} ms here), or that sent none and connected longer ago than that. ` +
          "The field counts are over all devices, most common first; `value` null: not set.",
        response: {
          200: {
            type: "object",
            required: ["total", "online", "offline", "stale", "revoked", "never", "firmware", "profiles", "models", "labels"],
            properties: {
              total: { type: "integer" },
              online: { type: "integer", description: "Connected now (not revoked)" },
              offline: { type: "integer", description: "Not connected, heard from before (not revoked)" },
              stale: { type: "integer", description: "Online, but the readings stopped" },
              revoked: { type: "integer" },
              never: { type: "integer", description: "Never heard from (not revoked)" },
              firmware: fieldCounts("Devices per firmware version"),
              profiles: fieldCounts("Devices per profile id"),
              models: fieldCounts("Devices per model"),
              labels: {
                type: "array",
                description: "Devices per label key and value",
                items: {
                  type: "object",
                  required: ["key", "value", "count"],
                  properties: { key: { type: "string" }, value: { type: "string" }, count: { type: "integer" } },
                },
              },
            },
          },
          ...errorResponses(),
        },
      }),
    },
    async () => {
      const counts = await deps.devices.fleetCounts(deps.presence.connectedIds());
      const stale = deps.freshness.staleIds(deps.presence, deps.now(), staleAfterMs).length;
      const { total, online, offline, revoked, never, firmware, profiles, models, labels } = counts;
      return { total, online, offline, stale, revoked, never, firmware, profiles, models, labels };
    },
  );

  http.get<{ Querystring: { ids: string; metrics?: string } }>(
    "/fleet/latest",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["fleet"],
        summary: "Newest values of several devices at once",
        description:
          `\`ids\`: up to ${MAX_LATEST_DEVICES} device ids, comma-separated; \`metrics\`: up to ${MAX_LATEST_METRICS} metric names (default all). ` +
          "Each id maps to its metrics' newest values; a device without values (or unknown) maps to `{}`.",
        querystring: {
          type: "object",
          required: ["ids"],
          properties: {
            ids: { type: "string", maxLength: MAX_LATEST_DEVICES * 65, description: "Comma-separated device ids" },
            metrics: { type: "string", maxLength: MAX_LATEST_METRICS * 257, description: "Comma-separated metric names; default all" },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["data"],
            properties: {
              data: {
                type: "object",
                additionalProperties: {
                  type: "object",
                  additionalProperties: {
                    type: "object",
                    required: ["ts", "value"],
                    properties: { ts: TIMESTAMP_SCHEMA, value: METRIC_VALUE_SCHEMA },
                  },
                },
              },
            },
          },
          ...errorResponses(),
        },
      }),
    },
    async (request) => {
      const ids = listOf(request.query.ids, "device id", DEVICE_ID, MAX_LATEST_DEVICES);
      const metrics =
        request.query.metrics === undefined
          ? undefined
          : listOf(request.query.metrics, "metric name", METRIC_NAME_PATTERN, MAX_LATEST_METRICS);
      const data: Record<string, Record<string, { ts: number; value: LatestValue["value"] }>> = {};
      for (const id of ids) data[id] = {};
      await forEachLimited(ids, LATEST_CONCURRENCY, async (id) => {
        const values = data[id] as Record<string, { ts: number; value: LatestValue["value"] }>;
        for (const latest of await deps.telemetry.latest(id))
          if (metrics === undefined || metrics.includes(latest.metric)) values[latest.metric] = { ts: latest.ts, value: latest.value };
      });
      return { data };
    },
  );
}
