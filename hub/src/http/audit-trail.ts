import type { FastifyInstance } from "fastify";
import type { AuditLog } from "../audit/audit-log.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Audit action recorded when the route succeeds, e.g. `command.send`. */
    audit?: string;
  }
  interface FastifyRequest {
    /** What the handler wants in the audit entry besides the route's target. */
    auditDetails: Record<string, unknown> | null;
  }
}

/**
 * Record every successful request to a route that names an `audit` action: who (the API key
 * id), what, to what (the `:id` parameter, or the created id), when.
 */
export function installAuditTrail(http: FastifyInstance, audit: AuditLog, now: () => number): void {
  http.addHook("onResponse", async (request, reply) => {
    const action = request.routeOptions.config.audit;
    if (!action || reply.statusCode >= 400 || !request.apiKey) return;
    const params = request.params as { id?: string } | undefined;
    const details = request.auditDetails ?? {};
    const target = params?.id ?? (typeof details.target === "string" ? details.target : "");
    await audit.record({ at: now(), actor: request.apiKey.id, action, target, details: { ...details, status: reply.statusCode } });
  });
}
