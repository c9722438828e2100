import { Readable } from "node:stream";
import { METRIC_NAME_PATTERN } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import { csvChunks, type ExportFormat, type ExportFrame, jsonChunks } from "../../export/export-format.js";
import { type ExportQuery, exportPages } from "../../export/export-pages.js";
import { MAX_QUERY_TIME_MS, QUERY_TIME_SCHEMA, resolveWindow } from "../history-window.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PARAMS, errorResponses, routeSchema } from "../shared-schemas.js";
import { requireDevice } from "./device-lookup.js";

/** Most metrics one export may name (a device has at most `ingest.maxMetricsPerDevice`, 256 by default). */
const MAX_EXPORT_METRICS = 256;

interface ExportQuerystring {
  format: ExportFormat;
  from?: number;
  to?: number;
  metric?: string[];
}

const CONTENT_TYPES: Record<ExportFormat, string> = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" };

/** `GET /devices/:id/telemetry/export`: a device's raw values over a window as a CSV or JSON download, streamed. */
export function registerExportRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { maxExportRows } = deps.config.api;

  http.get<{ Params: { id: string }; Querystring: ExportQuerystring }>(
    "/devices/:id/telemetry/export",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["telemetry"],
        summary: "Export raw values as CSV or JSON (streamed)",
        description:
          "The values of `GET /devices/:id/telemetry/raw` over [from, to) without its page cap, streamed as a download: " +
          "CSV `time,metric,value` (ISO 8601 UTC with ms) or JSON `{device, from, to, data: [{ts, metric, value}], truncated}`. " +
          `At most \`api.maxExportRows\` (${maxExportRows} here) values: the hub counts first and sends \`X-Telehub-Export-Rows\` ` +
          "(values in this answer) and `X-Telehub-Export-Truncated`; a truncated CSV ends with the line " +
          '`# truncated: more than N rows; narrow the range`, a truncated JSON with `"truncated": true`.',
        params: DEVICE_ID_PARAMS,
        querystring: {
          type: "object",
          properties: {
            format: { type: "string", enum: ["csv", "json"], default: "csv" },
            from: {
              ...QUERY_TIME_SCHEMA,
              description: `Start (inclusive), ms since the epoch, 0 to ${MAX_QUERY_TIME_MS}; default \`to\` − 1 h`,
            },
            to: { ...QUERY_TIME_SCHEMA, description: `End (exclusive), ms since the epoch, 0 to ${MAX_QUERY_TIME_MS}; default now` },
            metric: {
              type: "array",
              maxItems: MAX_EXPORT_METRICS,
              items: { type: "string", minLength: 1, maxLength: 256, pattern: METRIC_NAME_PATTERN.source },
              description: "Only these metrics (repeat the parameter: `metric=a&metric=b`); default all",
            },
          },
        },
        response: {
          200: {
            description: "The export (text/csv or application/json), streamed",
            headers: {
              "X-Telehub-Export-Rows": { type: "integer", description: "Values in this answer" },
              "X-Telehub-Export-Truncated": { type: "string", enum: ["true", "false"], description: "The window holds more values" },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request, reply) => {
      const { id } = request.params;
      await requireDevice(deps, id);
      const window = resolveWindow(request.query, deps.now());
      const { format } = request.query;
      const query: ExportQuery = { deviceId: id, ...window, ...(request.query.metric ? { metrics: request.query.metric } : {}) };
      // Headers go before the first byte: the count (capped one past the limit) says whether the export is whole.
      const counted = await deps.telemetry.countRaw({ ...query, limit: maxExportRows + 1 });
      const rows = Math.min(counted, maxExportRows);
      const frame: ExportFrame = { ...window, deviceId: id, truncated: counted > maxExportRows, maxRows: maxExportRows };
      const pages = exportPages(deps.telemetry, query, rows);
      const chunks = format === "csv" ? csvChunks(pages, frame) : jsonChunks(pages, frame);
      void reply
        .type(CONTENT_TYPES[format])
        .header("Content-Disposition", `attachment; filename="${id}-${window.from}-${window.to}.${format}"`)
        .header("X-Telehub-Export-Rows", String(rows))
        .header("X-Telehub-Export-Truncated", String(frame.truncated))
        .header("Cache-Control", "no-store");
      // Readable.from pulls the next chunk only when the socket has taken the last: back-pressure reaches the store.
      return reply.send(Readable.from(chunks, { objectMode: false }));
    },
  );
}
