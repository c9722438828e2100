import type { FastifyInstance } from "fastify";
import { generateSecret, hashSecret } from "../../security/secrets.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { DEVICE_ID_PARAMS, DEVICE_REF, errorResponses, routeSchema } from "../shared-schemas.js";
import { requireDevice, viewOf } from "./device-lookup.js";

type IdParams = { id: string };

/** Device credential routes: rotate a token (also un-revokes) and revoke. Both close a live session. */
export function registerDeviceCredentialRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  http.post<{ Params: IdParams }>(
    "/devices/:id/token",
    {
      config: { access: "operator", audit: "device.rotate-token" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Rotate a device's token",
        description:
          "Answers a new token once; the old one stops working, a revoked device is reinstated and a live session is closed with `TH_DEVICE_REVOKED`.",
        params: DEVICE_ID_PARAMS,
        response: {
          200: {
            type: "object",
            required: ["token"],
            properties: { token: { type: "string", description: "The new token; shown only now" } },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request) => {
      const { id } = request.params;
      const token = generateSecret();
      if (!(await deps.devices.setTokenHash(id, hashSecret(token), deps.now()))) throw new ApiError("TH_API_NOT_FOUND", `no device ${id}`);
      deps.presence.disconnect(id, "TH_DEVICE_REVOKED");
      return { token };
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
