import type { FastifyInstance } from "fastify";
import { ConfigError } from "../config/load-config.js";

/** Methods a cross-origin page may use. */
const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";
/** Request headers a cross-origin page may send. */
const ALLOWED_HEADERS = "Authorization, Content-Type";
/** Answer headers a cross-origin page may read besides the safelisted ones. */
const EXPOSED_HEADERS = "Retry-After, Location";
/** How long a browser may cache a preflight answer (s). */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * `api.corsOrigins` as a list: comma-separated exact origins (`https://host[:port]`). A `*`,
 * a path or anything that is not an origin is a configuration error.
 */
export function parseCorsOrigins(value: string): string[] {
  const origins = value
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.origin !== origin) {
      throw new ConfigError(
        `api.corsOrigins: ${JSON.stringify(origin)} is not an origin; give scheme://host[:port] without a path or trailing slash (a wildcard is not accepted)`,
      );
    }
  }
  return origins;
}

/**
 * CORS for browser pages on the configured origins: their requests get
 * `Access-Control-Allow-Origin` (and `Vary: Origin`), and their preflights (`OPTIONS` with
 * `Access-Control-Request-Method`) are answered 204 before authentication, which a preflight
 * never carries. Other origins get no CORS headers, so their browsers refuse the answers.
 * Credentials travel in `Authorization`, not cookies, so `Allow-Credentials` is not sent.
 */
export function installCors(http: FastifyInstance, corsOrigins: string): void {
  const allowed = new Set(parseCorsOrigins(corsOrigins));
  if (allowed.size === 0) return;
  http.addHook("onRequest", async (request, reply) => {
    const origin = request.headers.origin;
    reply.header("vary", "Origin");
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header("access-control-allow-origin", origin);
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
      reply
        .code(204)
        .header("access-control-allow-methods", ALLOWED_METHODS)
        .header("access-control-allow-headers", ALLOWED_HEADERS)
        .header("access-control-max-age", String(PREFLIGHT_MAX_AGE_S));
      return reply.send();
    }
    reply.header("access-control-expose-headers", EXPOSED_HEADERS);
  });
}
