import type { FastifyInstance } from "fastify";
import { ApiError } from "./api-errors.js";

/**
 * The path of the first number in `value` that is not finite (`1e400` in a JSON body or a query
 * parses to `Infinity`), or undefined. Recursive: call it only on bodies whose depth the JSON
 * parser has bounded (`api.maxJsonDepth`).
 */
export function nonFinitePath(value: unknown, path = ""): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path || "/";
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nonFinitePath(item, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuse a query or path parameter that the schema turned into `Infinity` (Ajv coerces `1e400`
 * and its `integer` type lets it through) with `TH_API_VALIDATION`, before a route hands it to
 * a store.
 */
export function refuseNonFiniteParameters(http: FastifyInstance): void {
  http.addHook("preHandler", async (request) => {
    for (const [part, values] of [
      ["querystring", request.query],
      ["params", request.params],
    ] as const) {
      const path = nonFinitePath(values);
      if (path !== undefined) {
        throw new ApiError("TH_API_VALIDATION", `${part}${path} must be a finite number`, [
          { in: part, path, message: "must be a finite number" },
        ]);
      }
    }
  });
}
