import { METRIC_NAME_PATTERN } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import { DEFAULT_HISTORY_POINTS, MAX_QUERY_TIME_MS, QUERY_TIME_SCHEMA, resolveBucketMs, resolveWindow } from "../history-window.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import {
  DEVICE_ID_PARAMS,
  errorResponses,
  METRIC_VALUE_SCHEMA,
  NULLABLE_TIMESTAMP_SCHEMA,
  routeSchema,
  TIMESTAMP_SCHEMA,
} from "../shared-schemas.js";
import { requireDevice } from "./device-lookup.js";

type IdParams = { id: string };
/** A metric name by the protocol's rule (docs/protocol.md §3.3), so that no other text reaches a store's query. */
const METRIC_SCHEMA = { type: "string", minLength: 1, maxLength: 256, pattern: METRIC_NAME_PATTERN.source } as const;
const WINDOW_PROPERTIES = {
  from: { ...QUERY_TIME_SCHEMA, description: `Start (inclusive), ms since the epoch, 0 to ${MAX_QUERY_TIME_MS}; default \`to\` − 1 h` },
  to: { ...QUERY_TIME_SCHEMA, description: `End (exclusive), ms since the epoch, 0 to ${MAX_QUERY_TIME_MS}; default now` },
} as const;

interface HistoryQuerystring {
  metric: string;
  from?: number;
  to?: number;
  points?: number;
  bucketMs?: number;
}

interface RawQuerystring {
  metric?: string;
  from?: number;
  to?: number;
  limit?: number;
}

/** Telemetry reads: newest values with their freshness, downsampled history, and capped raw points. */
export function registerTelemetryRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { api } = deps.config;

  http.get<{ Params: IdParams }>(
    "/devices/:id/latest",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["telemetry"],
        summary: "Newest value of every metric",
        description: "`freshnessMs` is the age of the newest reading: a connected device may still send nothing.",
        params: DEVICE_ID_PARAMS,
        response: {
          200: {
            type: "object",
            required: ["data", "lastReadingAt", "freshnessMs"],
            properties: {
              data: {
                type: "array",
                items: {
                  type: "object",
                  required: ["metric", "ts", "value", "receivedAt"],
                  properties: {
                    metric: { type: "string" },
                    ts: TIMESTAMP_SCHEMA,
                    value: METRIC_VALUE_SCHEMA,
                    receivedAt: TIMESTAMP_SCHEMA,
                  },
                },
              },
              lastReadingAt: NULLABLE_TIMESTAMP_SCHEMA,
              freshnessMs: { type: ["integer", "null"], description: "now − lastReadingAt (never negative); null without readings" },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request) => {
      await requireDevice(deps, request.params.id);
      const data = await deps.telemetry.latest(request.params.id);
      // A loop, not Math.max(...): a spread of many values overflows the stack.
      let lastReadingAt: number | null = null;
      for (const value of data) if (lastReadingAt === null || value.ts > lastReadingAt) lastReadingAt = value.ts;
      return { data, lastReadingAt, freshnessMs: lastReadingAt === null ? null : Math.max(0, deps.now() - lastReadingAt) };
    },
  );

  http.get<{ Params: IdParams; Querystring: HistoryQuerystring }>(
    "/devices/:id/telemetry",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["telemetry"],
        summary: "Downsampled history of one metric",
        description:
          "Aggregates per time bucket over [from, to). Without `bucketMs`, bucketMs = max(1, ceil((to − from) / points)), so at most `points` buckets; " +
          "with `bucketMs`, (to − from) / bucketMs must not exceed `api.maxHistoryPoints`. Empty buckets are left out; numeric aggregates are null for booleans and strings.",
        params: DEVICE_ID_PARAMS,
        querystring: {
          type: "object",
          required: ["metric"],
          properties: {
            metric: METRIC_SCHEMA,
            ...WINDOW_PROPERTIES,
            points: {
              type: "integer",
              minimum: 1,
              maximum: api.maxHistoryPoints,
              description: `Most buckets wanted (e.g. the chart's width in pixels); default ${Math.min(DEFAULT_HISTORY_POINTS, api.maxHistoryPoints)}`,
            },
            bucketMs: { type: "integer", minimum: 1, maximum: MAX_QUERY_TIME_MS, description: "Bucket width in ms; overrides points" },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["metric", "from", "to", "bucketMs", "data"],
            properties: {
              metric: { type: "string" },
              from: TIMESTAMP_SCHEMA,
              to: TIMESTAMP_SCHEMA,
              bucketMs: { type: "integer" },
              data: {
                type: "array",
                items: {
                  type: "object",
                  required: ["ts", "mean", "min", "max", "last", "count"],
                  properties: {
                    ts: { ...TIMESTAMP_SCHEMA, description: "Start of the bucket" },
                    mean: { type: ["number", "null"] },
                    min: { type: ["number", "null"] },
                    max: { type: ["number", "null"] },
                    last: METRIC_VALUE_SCHEMA,
                    count: { type: "integer" },
                  },
                },
              },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request) => {
      const { id } = request.params;
      await requireDevice(deps, id);
      const window = resolveWindow(request.query, deps.now());
      const bucketMs = resolveBucketMs(window, request.query, api.maxHistoryPoints);
      const data = await deps.telemetry.history({ deviceId: id, metric: request.query.metric, ...window, bucketMs });
      return { metric: request.query.metric, ...window, bucketMs, data };
    },
  );

  http.get<{ Params: IdParams; Querystring: RawQuerystring }>(
    "/devices/:id/telemetry/raw",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["telemetry"],
        summary: "Raw values, oldest first",
        description: `At most \`limit\` points (capped at \`api.maxRawPoints\`, ${api.maxRawPoints} here); \`truncated\` says more were in the window.`,
        params: DEVICE_ID_PARAMS,
        querystring: {
          type: "object",
          properties: {
            metric: { ...METRIC_SCHEMA, description: "Only this metric; default all" },
            ...WINDOW_PROPERTIES,
            limit: { type: "integer", minimum: 1, description: "Most points; larger values are capped at api.maxRawPoints" },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["data", "truncated"],
            properties: {
              data: {
                type: "array",
                items: {
                  type: "object",
                  required: ["ts", "metric", "value"],
                  properties: { ts: TIMESTAMP_SCHEMA, metric: { type: "string" }, value: METRIC_VALUE_SCHEMA },
                },
              },
              truncated: { type: "boolean" },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request) => {
      const { id } = request.params;
      await requireDevice(deps, id);
      const window = resolveWindow(request.query, deps.now());
      const limit = Math.min(request.query.limit ?? api.maxRawPoints, api.maxRawPoints);
      const query = { deviceId: id, ...window, limit: limit + 1 };
      const points = await deps.telemetry.raw(request.query.metric === undefined ? query : { ...query, metric: request.query.metric });
      return { data: points.slice(0, limit), truncated: points.length > limit };
    },
  );
}
