import type { FastifyInstance } from "fastify";
import type { HttpApiDeps } from "./http-api-deps.js";

/** Register every HTTP route of the hub (API v1, OpenAPI, health, metrics). */
export async function registerHttpApi(_http: FastifyInstance, _deps: HttpApiDeps): Promise<void> {
  // Filled in by the HTTP API work.
}
