import type { FastifyInstance } from "fastify";

/**
 * Headers every HTTP answer carries: no MIME sniffing, no framing (clickjacking), no referrer
 * leaking URLs; API answers are never cached (they may hold tokens shown once). With `hsts`
 * (a hub serving HTTPS, see `hstsHeader`), `Strict-Transport-Security` too.
 */
export function installSecurityHeaders(http: FastifyInstance, hsts?: string): void {
  http.addHook("onSend", async (request, reply) => {
    if (hsts !== undefined) reply.header("strict-transport-security", hsts);
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    if (request.url.startsWith("/api/")) reply.header("cache-control", "no-store");
  });
}
