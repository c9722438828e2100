import type { FastifyInstance } from "fastify";
import type { HttpApiDeps } from "../http-api-deps.js";
import { routeSchema } from "../shared-schemas.js";
import { withTimeout } from "../store-availability.js";

/** A readiness check that takes longer than this counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

const CHECK_SCHEMA = {
  type: "object",
  required: ["status"],
  properties: { status: { type: "string", enum: ["ok", "failed"] }, error: { type: "string" } },
} as const;

const READINESS_SCHEMA = {
  type: "object",
  required: ["status", "checks"],
  properties: {
    status: { type: "string", enum: ["ready", "unavailable", "draining"] },
    checks: {
      type: "object",
      required: ["telemetry", "metadata"],
      // A cluster instance also checks its connection to NATS (`nats`).
      properties: { telemetry: CHECK_SCHEMA, metadata: CHECK_SCHEMA, nats: CHECK_SCHEMA },
    },
  },
} as const;

type CheckResult = { status: "ok" } | { status: "failed"; error: string };

async function check(what: string, probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(probe(), CHECK_TIMEOUT_MS, what);
    return { status: "ok" };
  } catch (error) {
    return { status: "failed", error: error instanceof Error ? error.message : String(error) };
  }
}

/** Open probes for orchestrators: liveness (`/healthz`) and readiness (`/readyz`, both stores answer and the hub is not draining). */
export function registerHealthRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  http.get(
    "/healthz",
    {
      config: { access: "public" },
      schema: routeSchema({
        tags: ["health"],
        summary: "Liveness: the process serves HTTP",
        security: [],
        response: { 200: { type: "object", required: ["status"], properties: { status: { type: "string", enum: ["ok"] } } } },
      }),
    },
    async () => ({ status: "ok" }),
  );

  http.get(
    "/readyz",
    {
      config: { access: "public" },
      schema: routeSchema({
        tags: ["health"],
        summary: "Readiness: the telemetry store and the metadata store answer, and the hub is not draining",
        description:
          "503 names the check that failed; or, with `status` `draining`, the hub is draining before it stops (`gateway.drainMs`): a load balancer should send it nothing new.",
        security: [],
        response: { 200: READINESS_SCHEMA, 503: READINESS_SCHEMA },
      }),
    },
    async (_request, reply) => {
      const engines = Object.entries(deps.engineChecks ?? {});
      const [telemetry, metadata, ...others] = await Promise.all([
        check("telemetry store", () => deps.telemetry.ping()),
        check("metadata store", () => deps.apiKeys.countActive()),
        ...engines.map(([name, probe]) => check(name, probe)),
      ]);
      const checks: Record<string, CheckResult> = { telemetry, metadata };
      engines.forEach(([name], i) => {
        checks[name] = others[i] as CheckResult;
      });
      if (deps.drain?.draining) return reply.code(503).send({ status: "draining", checks });
      const ready = Object.values(checks).every((result) => result.status === "ok");
      if (!ready) reply.log.warn(checks, "not ready");
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", checks });
    },
  );
}
