import type { FastifyInstance } from "fastify";
import { actorOf, type Caller, ownerOf } from "../accounts/caller.js";
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

/** The who-fields of an audit entry for a caller: `user:<username>` or `key:<id>`, its name, and a key's owner. */
export function auditActor(caller: Caller): { actor: string; actorName: string; owner: string | null } {
  return { actor: actorOf(caller), actorName: caller.name, owner: ownerOf(caller) };
}

/**
 * Record every successful request to a route that names an `audit` action: who (the user, or
 * the key and its owner), what, to what (the `:id` parameter, or the created id), when.
 */
export function installAuditTrail(http: FastifyInstance, audit: AuditLog, now: () => number): void {
  http.addHook("onResponse", async (request, reply) => {
    const action = request.routeOptions.config.audit;
    if (!action || reply.statusCode >= 400 || !request.caller) return;
    const params = request.params as { id?: string } | undefined;
    const details = request.auditDetails ?? {};
    const target = params?.id ?? (typeof details.target === "string" ? details.target : "");
    await audit.record({ at: now(), ...auditActor(request.caller), action, target, details: { ...details, status: reply.statusCode } });
  });
}
