import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { API_ERRORS } from "./api-errors.js";
import { routeSchema } from "./shared-schemas.js";

/** Where the OpenAPI document is served (open, no key). */
export const OPENAPI_PATH = "/openapi.json";

/**
 * Register `@fastify/swagger` on the root instance, before any route, so that it sees every
 * route's schema. Shared schemas keep their `$id` as their component name.
 */
export async function registerOpenApi(http: FastifyInstance): Promise<void> {
  await http.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Telehub HTTP API",
        version: "1.0.0",
        description: `Devices, telemetry and API keys of a Telehub hub. Error codes: ${Object.keys(API_ERRORS).join(", ")}. See docs/api.md.`,
      },
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer", description: "Authorization: Bearer thk_<id>_<secret>" },
        },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });
}

/** `GET /api/v1/openapi.json` (registered under the API prefix). */
export function registerOpenApiRoute(api: FastifyInstance): void {
  api.get(
    OPENAPI_PATH,
    { config: { access: "public" }, schema: routeSchema({ tags: ["meta"], summary: "This OpenAPI document", security: [] }) },
    async () => api.swagger(),
  );
}
