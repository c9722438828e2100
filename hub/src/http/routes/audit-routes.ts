import type { FastifyInstance } from "fastify";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, PAGE_OFFSET_SCHEMA, pageOf, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

/** The audit log: who (which user, or which key and its owner) did what, to what, and when. */
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
            actor: {
              type: "string",
              description: "`user:<username>` or `key:<id>` (entries from before operator accounts: the bare key id)",
            },
            action: {
              type: "string",
              description: "e.g. command.send, config.set, device.create, session.login, user.create, api-key.revoke",
            },
            target: { type: "string", description: "device or command id" },
            limit: { type: "integer", minimum: 1, maximum: deps.config.api.maxPageSize },
            offset: PAGE_OFFSET_SCHEMA,
          },
        },
        response: {
          200: pageOf({
            type: "object",
            required: ["id", "at", "actor", "actorName", "owner", "action", "target", "details"],
            properties: {
              id: { type: "integer" },
              at: TIMESTAMP_SCHEMA,
              actor: { type: "string" },
              actorName: { type: ["string", "null"], description: "The user's display name or the key's name; null in older entries" },
              owner: { type: ["string", "null"], description: "For a key: the user it acts for (`user:<username>`)" },
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
