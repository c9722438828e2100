import type { FastifyInstance } from "fastify";
import type { PreferenceOwner } from "../../storage/preference-repository.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, routeSchema } from "../shared-schemas.js";

/** Largest preferences document, in bytes of its JSON (UTF-8). */
export const MAX_PREFERENCES_BYTES = 16_384;

const PREFERENCES_SCHEMA = {
  type: "object",
  additionalProperties: true,
  description:
    "Any JSON object up to 16 KiB. The dashboard keeps chart visibility under `deviceCharts`: " +
    '`{ "deviceCharts": { "<profileId>": { "hidden": ["<chart title>"], "shown": ["<chart title>"] } } }`, and other views under keys of their own.',
} as const;

/** `GET`/`PUT /me/preferences`: the caller's own dashboard preferences (a user's, whichever session; or a key's). */
export function registerPreferencesRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const ownerOf = (request: Parameters<typeof callerOf>[0]): PreferenceOwner => {
    const caller = callerOf(request);
    return caller.kind === "user" ? `user:${caller.id}` : `key:${caller.id}`;
  };

  http.get(
    "/me/preferences",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["session"],
        summary: "The caller's preferences",
        description: "`{}` until the caller stores some. A user's are the same in every session; a key has its own.",
        response: { 200: PREFERENCES_SCHEMA, ...errorResponses() },
      }),
    },
    async (request) => deps.preferences.get(ownerOf(request)),
  );

  http.put<{ Body: Record<string, unknown> }>(
    "/me/preferences",
    {
      // Any caller may keep its own preferences: viewer is the lowest role.
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["session"],
        summary: "Replace the caller's preferences",
        description: `The whole document is replaced. Larger than ${MAX_PREFERENCES_BYTES} bytes of JSON: 413 \`TH_API_PREFERENCES_TOO_LARGE\`.`,
        body: PREFERENCES_SCHEMA,
        response: { 200: PREFERENCES_SCHEMA, ...errorResponses(413) },
      }),
    },
    async (request) => {
      const size = Buffer.byteLength(JSON.stringify(request.body));
      if (size > MAX_PREFERENCES_BYTES)
        throw new ApiError("TH_API_PREFERENCES_TOO_LARGE", `the preferences take ${size} bytes of JSON; at most ${MAX_PREFERENCES_BYTES}`, {
          bytes: size,
          maxBytes: MAX_PREFERENCES_BYTES,
        });
      await deps.preferences.put(ownerOf(request), request.body, deps.now());
      return request.body;
    },
  );
}
