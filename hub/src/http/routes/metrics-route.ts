import type { FastifyInstance } from "fastify";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, routeSchema } from "../shared-schemas.js";

/** `GET /metrics`: Prometheus text; needs a key unless `api.publicMetrics`. */
export function registerMetricsRoute(http: FastifyInstance, deps: HttpApiDeps): void {
  const open = deps.config.api.publicMetrics;
  http.get(
    "/metrics",
    {
      config: { access: open ? "public" : "viewer" },
      schema: routeSchema({
        tags: ["health"],
        summary: "Prometheus metrics (text exposition format)",
        description: "Open without a key only when `api.publicMetrics` is true.",
        ...(open ? { security: [] } : {}),
        response: { 200: { type: "string", description: "Prometheus text format" }, ...(open ? {} : errorResponses()) },
      }),
    },
    async (_request, reply) => {
      const registry = deps.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}
