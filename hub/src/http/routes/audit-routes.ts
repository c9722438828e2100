import type { FastifyInstance } from "fastify";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, PAGE_OFFSET_SCHEMA, pageOf, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

/** The audit log: who (which API key) sent, cancelled or changed what, and when. */
export function registerAuditRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  http.get<{ Querystring: { actor?: string; action?: string; target?: string; limit?: number; offset?: number } }>(
    "/audit",
    {
      config: { access: "admin" },
      schema: routeSchema({
        tags: ["audit"],
        summary: "Read the audit log (newest first)",
        querystring: {
          type: "object",
          properties: {
            actor: { type: "string", description: "API key id" },
            action: { type: "string", description: "e.g. command.send, command.cancel, config.set, device.create" },
            target: { type: "string", description: "device or command id" },
            limit: { type: "integer", minimum: 1, maximum: deps.config.api.maxPageSize },
            offset: PAGE_OFFSET_SCHEMA,
          },
        },
        response: {
          200: pageOf({
            type: "object",
            required: ["id", "at", "actor", "action", "target", "details"],
            properties: {
              id: { type: "integer" },
              at: TIMESTAMP_SCHEMA,
              actor: { type: "string" },
              action: { type: "string" },
              target: { type: "string" },
              details: { type: "object", additionalProperties: true },
            },
          }),
          ...errorResponses(),
        },
      }),
    },
    async (request, reply) => {
      const { actor, action, target } = request.query;
      const limit = request.query.limit ?? deps.config.api.defaultPageSize;
      const offset = request.query.offset ?? 0;
      const page = await deps.audit.list({ limit, offset, actor, action, target });
      reply.header("X-Total-Count", String(page.total));
      return { data: page.items, total: page.total, limit, offset };
    },
  );
}
