import type { FastifyInstance } from "fastify";
import { generateSecret, hashSecret } from "../../security/secrets.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PARAMS, DEVICE_REF, errorResponses, routeSchema } from "../shared-schemas.js";
import { requireDevice, viewOf } from "./device-lookup.js";

type IdParams = { id: string };

/** Device credential routes: rotate a token (also un-revokes; the old token may keep a grace period) and revoke. */
export function registerDeviceCredentialRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  http.post<{ Params: IdParams; Body: { graceMs?: number } | undefined }>(
    "/devices/:id/token",
    {
      config: { access: "operator", audit: "device.rotate-token" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Rotate a device's token",
        description:
          "Answers a new token once and reinstates a revoked device. Without `graceMs` the old token stops working at once and a live session is closed with `TH_DEVICE_REVOKED`. With `graceMs` (up to `security.maxTokenGraceMs`) the old token keeps working, and a live session stays open, until `previousTokenValidUntil`; then a session still on the old token is closed with `TH_DEVICE_REVOKED` and the old token is refused. A revoked device gets no grace period.",
        params: DEVICE_ID_PARAMS,
        body: {
          type: ["object", "null"],
          additionalProperties: false,
          properties: {
            graceMs: {
              type: "integer",
              minimum: 0,
              description: "How long the old token keeps working (ms); 0 or absent: it stops at once",
            },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["token", "previousTokenValidUntil"],
            properties: {
              token: { type: "string", description: "The new token; shown only now" },
              previousTokenValidUntil: {
                type: ["integer", "null"],
                description: "Until when (ms since the epoch) the old token works; null when it stopped at once",
              },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request) => {
      const { id } = request.params;
      const graceMs = request.body?.graceMs ?? 0;
      const { maxTokenGraceMs } = deps.config.security;
      if (graceMs > maxTokenGraceMs) {
        throw new ApiError("TH_API_VALIDATION", `graceMs may be at most security.maxTokenGraceMs (${maxTokenGraceMs})`, [
          { in: "body", path: "/graceMs", message: `must be ≤ ${maxTokenGraceMs}` },
        ]);
      }
      const at = deps.now();
      const device = await requireDevice(deps, id);
      const previousTokenValidUntil = graceMs > 0 && device.revokedAt === null ? at + graceMs : null;
      const token = generateSecret();
      if (!(await deps.devices.setTokenHash(id, hashSecret(token), at, previousTokenValidUntil ?? undefined)))
        throw new ApiError("TH_API_NOT_FOUND", `no device ${id}`);
      if (previousTokenValidUntil === null) deps.presence.disconnect(id, "TH_DEVICE_REVOKED");
      return { token, previousTokenValidUntil };
    },
  );

  http.post<{ Params: IdParams }>(
    "/devices/:id/revoke",
    {
      config: { access: "operator", audit: "device.revoke" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Revoke a device",
        description:
          "The device cannot connect until its token is rotated; a live session is closed with `TH_DEVICE_REVOKED`. Revoking twice is harmless.",
        params: DEVICE_ID_PARAMS,
        response: { 200: DEVICE_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const { id } = request.params;
      await deps.devices.revoke(id, deps.now());
      const device = await requireDevice(deps, id);
      deps.presence.disconnect(id, "TH_DEVICE_REVOKED");
      return viewOf(deps, device);
    },
  );
}
