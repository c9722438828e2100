import type { DataValue } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import type { DeviceConfigRecord } from "../../desired-config/desired-config-store.js";
import type { SecretMarking } from "../../security/secret-marking.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import { JSON_OBJECT_SCHEMA, redactionFor } from "../command-schemas.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PARAMS, errorResponses, NULLABLE_TIMESTAMP_SCHEMA, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";
import { requireDevice } from "./device-lookup.js";

const CONFIG_VIEW = {
  type: "object",
  required: ["deviceId", "desired", "reported"],
  properties: {
    deviceId: { type: "string" },
    desired: {
      type: ["object", "null"],
      properties: {
        version: { type: "integer" },
        document: { ...JSON_OBJECT_SCHEMA, description: "Secret values (docs/api.md, Secret values) are `[redacted]` for viewers" },
        updatedAt: TIMESTAMP_SCHEMA,
        updatedBy: { type: ["string", "null"] },
      },
    },
    reported: {
      type: "object",
      properties: {
        version: { type: "integer", description: "Version the device last reported applied (0: none)" },
        at: NULLABLE_TIMESTAMP_SCHEMA,
        error: { type: ["string", "null"], description: "Why the device could not apply the version it was last sent" },
        inSync: { type: "boolean" },
      },
    },
  },
} as const;

/** The API view; with `redact` (a viewer asks), the document's secret values are `[redacted]`. */
function view(deviceId: string, config: DeviceConfigRecord | undefined, redact?: SecretMarking) {
  return {
    deviceId,
    desired: config
      ? {
          version: config.version,
          document: redact ? redact.redact(config.document) : config.document,
          updatedAt: config.updatedAt,
          updatedBy: config.updatedBy,
        }
      : null,
    reported: {
      version: config?.reportedVersion ?? 0,
      at: config?.reportedAt ?? null,
      error: config?.reportedError ?? null,
      inSync: config === undefined || config.reportedVersion >= config.version,
    },
  };
}

/** Desired configuration of a device (full document, versioned) and what the device reported applying. */
export function registerDesiredConfigRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  http.get<{ Params: { id: string } }>(
    "/devices/:id/config",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["configuration"],
        summary: "Read a device's desired and reported configuration",
        params: DEVICE_ID_PARAMS,
        response: { 200: CONFIG_VIEW, ...errorResponses(404) },
      }),
    },
    async (request) => {
      await requireDevice(deps, request.params.id);
      return view(request.params.id, await deps.desiredConfig.get(request.params.id), redactionFor(request, deps));
    },
  );

  http.put<{ Params: { id: string }; Body: { document: { [key: string]: DataValue } } }>(
    "/devices/:id/config",
    {
      config: { access: "operator", audit: "config.set" },
      schema: routeSchema({
        tags: ["configuration"],
        summary: "Set a device's desired configuration",
        description:
          "Replaces the whole document and adds one to its version. A connected device gets it now; an offline one when it next connects, if the version it applied is older.",
        params: DEVICE_ID_PARAMS,
        body: { type: "object", required: ["document"], properties: { document: JSON_OBJECT_SCHEMA } },
        response: { 200: CONFIG_VIEW, ...errorResponses(404) },
      }),
    },
    async (request) => {
      await requireDevice(deps, request.params.id);
      const bytes = Buffer.byteLength(JSON.stringify(request.body.document));
      if (bytes > deps.config.commands.maxArgsBytes) {
        throw new ApiError(
          "TH_API_VALIDATION",
          `document is ${bytes} bytes as JSON; the limit is commands.maxArgsBytes (${deps.config.commands.maxArgsBytes})`,
        );
      }
      const config = await deps.desiredConfig.set(request.params.id, request.body.document, callerOf(request).id);
      request.auditDetails = { version: config.version, document: deps.secrets.redact(request.body.document) };
      return view(request.params.id, config);
    },
  );
}
