import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { DASHBOARD_CSP } from "../dashboard/serve-dashboard.js";
import { API_ERRORS } from "./api-errors.js";
import { routeSchema } from "./shared-schemas.js";

/** Where the OpenAPI document is served (open, no key). */
export const OPENAPI_PATH = "/openapi.json";

/** Where Swagger UI serves the document as a browsable page (open, like the document). */
export const API_DOCS_PATH = "/api/docs";

/**
 * The API docs page's Content-Security-Policy: the dashboard's (scripts, styles and connections
 * from the hub only; inline styles, which Swagger UI sets as attributes too), and no inline event
 * handlers. Not the package's default, which adds `upgrade-insecure-requests` and so breaks a hub
 * on plain HTTP.
 */
export const API_DOCS_CSP = `${DASHBOARD_CSP}; script-src-attr 'none'`;

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
        description: `Devices, telemetry, alarms, notification channels and API keys of a Telehub hub. Error codes: ${Object.keys(API_ERRORS).join(", ")}. See docs/api.md.`,
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
  // Swagger UI at /api/docs, on the same document (its `json` route serves what /api/v1/openapi.json does); its routes are hidden from the document.
  await http.register(swaggerUi, {
    routePrefix: API_DOCS_PATH,
    staticCSP: API_DOCS_CSP,
    validatorUrl: false,
    uiConfig: { deepLinking: true, tryItOutEnabled: false },
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
