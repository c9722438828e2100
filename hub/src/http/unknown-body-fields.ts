import type { FastifyInstance } from "fastify";
import { ApiError } from "./api-errors.js";

interface ObjectSchema {
  additionalProperties?: unknown;
  properties?: Record<string, unknown>;
}

/**
 * Refuse body fields a route's schema does not name (when it says `additionalProperties: false`).
 * Fastify's validator would silently drop them, so a misspelt field (`nmae`) would "succeed".
 */
export function refuseUnknownBodyFields(http: FastifyInstance): void {
  http.addHook("preValidation", async (request) => {
    const schema = request.routeOptions.schema?.body as ObjectSchema | undefined;
    const body = request.body;
    if (schema?.additionalProperties !== false || body === null || typeof body !== "object" || Array.isArray(body)) return;
    const known = Object.keys(schema.properties ?? {});
    const unknown = Object.keys(body).filter((field) => !known.includes(field));
    if (unknown.length > 0) {
      throw new ApiError(
        "TH_API_VALIDATION",
        `body has unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; allowed: ${known.join(", ")}`,
        unknown.map((field) => ({ in: "body", path: `/${field}`, message: "is not allowed" })),
      );
    }
  });
}
