import type { FastifyInstance } from "fastify";
import { serveDashboard } from "../dashboard/serve-dashboard.js";
import { PROFILE_SCHEMA } from "../profiles/profile-schema.js";
import { installAuditTrail } from "./audit-trail.js";
import { installAuthentication } from "./authentication.js";
import { COMMAND_SCHEMA } from "./command-schemas.js";
import { installCors } from "./cors.js";
import { installErrorHandler, installNotFoundHandler } from "./error-handler.js";
import { refuseNonFiniteParameters } from "./finite-numbers.js";
import type { HttpApiDeps } from "./http-api-deps.js";
import { installJsonBodyParser } from "./json-body-parser.js";
import { registerOpenApi, registerOpenApiRoute } from "./openapi.js";
import { registerAlarmRoutes } from "./routes/alarm-routes.js";
import { registerAlarmRuleRoutes } from "./routes/alarm-rule-routes.js";
import { ALARM_SHARED_SCHEMAS } from "./routes/alarm-schemas.js";
import { registerApiKeyRoutes } from "./routes/api-key-routes.js";
import { registerAuditRoutes } from "./routes/audit-routes.js";
import { registerCommandRoutes } from "./routes/command-routes.js";
import { registerDesiredConfigRoutes } from "./routes/desired-config-routes.js";
import { registerDeviceCredentialRoutes } from "./routes/device-credential-routes.js";
import { registerDeviceRoutes } from "./routes/device-routes.js";
import { registerExportRoutes } from "./routes/export-routes.js";
import { registerFleetRoutes } from "./routes/fleet-routes.js";
import { registerHealthRoutes } from "./routes/health-routes.js";
import { registerLiveRoutes } from "./routes/live-routes.js";
import { registerMeRoute } from "./routes/me-route.js";
import { registerMetricsRoute } from "./routes/metrics-route.js";
import { registerNotificationRoutes } from "./routes/notification-routes.js";
import { NOTIFICATION_SHARED_SCHEMAS } from "./routes/notification-schemas.js";
import { registerPreferencesRoutes } from "./routes/preferences-routes.js";
import { registerProfileRoutes } from "./routes/profile-routes.js";
import { registerSessionRoutes } from "./routes/session-routes.js";
import { registerTelemetryRoutes } from "./routes/telemetry-routes.js";
import { registerUserRoutes } from "./routes/user-routes.js";
import { installSecurityHeaders } from "./security-headers.js";
import { addSharedSchemas } from "./shared-schemas.js";
import { hstsHeader } from "./tls-options.js";
import { refuseUnknownBodyFields } from "./unknown-body-fields.js";

/** Prefix of the versioned API. */
export const API_PREFIX = "/api/v1";

/**
 * Register every HTTP route of the hub: `/healthz`, `/readyz` and `/metrics` at the root, the
 * API v1 (with its OpenAPI document) under `/api/v1`. Each group lives in its own encapsulated
 * context with the API's authentication and error format; the root's handlers stay free. The
 * built dashboard is served at `/` (no key: the app itself logs in).
 */
export async function registerHttpApi(http: FastifyInstance, deps: HttpApiDeps): Promise<void> {
  await registerOpenApi(http);
  addSharedSchemas(http);
  http.addSchema(COMMAND_SCHEMA);
  http.addSchema(PROFILE_SCHEMA);
  for (const schema of [...ALARM_SHARED_SCHEMAS, ...NOTIFICATION_SHARED_SCHEMAS]) http.addSchema(schema);
  installSecurityHeaders(http, hstsHeader(deps.config.tls));
  installJsonBodyParser(http, deps.config.api.maxJsonDepth);
  refuseNonFiniteParameters(http);
  installCors(http, deps.config.api.corsOrigins);
  http.decorateRequest("caller", null);
  http.decorateRequest("auditDetails", null);

  await http.register(async (root) => {
    installErrorHandler(root);
    installAuthentication(root, deps);
    registerHealthRoutes(root, deps);
    registerMetricsRoute(root, deps);
  });

  await http.register(
    async (api) => {
      installErrorHandler(api);
      installNotFoundHandler(api);
      installAuthentication(api, deps);
      refuseUnknownBodyFields(api);
      installAuditTrail(api, deps.audit, deps.now);
      registerOpenApiRoute(api);
      registerMeRoute(api, deps);
      registerPreferencesRoutes(api, deps);
      registerSessionRoutes(api, deps);
      registerUserRoutes(api, deps);
      registerDeviceRoutes(api, deps);
      registerDeviceCredentialRoutes(api, deps);
      registerTelemetryRoutes(api, deps);
      registerExportRoutes(api, deps);
      registerFleetRoutes(api, deps);
      registerApiKeyRoutes(api, deps);
      registerCommandRoutes(api, deps);
      registerDesiredConfigRoutes(api, deps);
      registerProfileRoutes(api, deps);
      registerAlarmRuleRoutes(api, deps);
      registerAlarmRoutes(api, deps);
      registerNotificationRoutes(api, deps);
      registerAuditRoutes(api, deps);
      registerLiveRoutes(api, deps);
    },
    { prefix: API_PREFIX },
  );

  await serveDashboard(http, deps.config.dashboard);
}
