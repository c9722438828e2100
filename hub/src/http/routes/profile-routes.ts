import type { DataValue } from "@telehub/device-client/protocol";
import type { FastifyInstance } from "fastify";
import type { DeviceProfile, ProfileDefinition } from "../../profiles/profile.js";
import {
  PROFILE_CREATE_BODY,
  PROFILE_ID_PARAMS,
  PROFILE_ID_PATTERN,
  PROFILE_REF,
  PROFILE_UPDATE_BODY,
} from "../../profiles/profile-schema.js";
import { ProfileInvalidError } from "../../profiles/profile-validation.js";
import type { SecretMarking } from "../../security/secret-marking.js";
import { DuplicateProfileError, ProfileInUseError, ProfileVersionConflictError } from "../../storage/profile-repository.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import { redactionFor } from "../command-schemas.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, PAGE_OFFSET_SCHEMA, pageOf, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

type IdParams = { id: string };
type UpdateBody = Omit<ProfileDefinition, "id"> & { version?: number };

const VERSION_PARAMS = {
  type: "object",
  required: ["id", "version"],
  properties: { id: { type: "string", pattern: PROFILE_ID_PATTERN }, version: { type: "integer", minimum: 1 } },
} as const;

/** The API view: a viewer reads the default configuration's secret values as `[redacted]`. */
function view(profile: DeviceProfile, redact: SecretMarking | undefined): DeviceProfile {
  if (!redact || profile.defaultConfig === undefined) return profile;
  return { ...profile, defaultConfig: redact.redact(profile.defaultConfig as { [key: string]: DataValue }) as Record<string, unknown> };
}

/** The service's refusals as API errors. */
function apiErrorOf(error: unknown): unknown {
  if (error instanceof ProfileInvalidError) return new ApiError("TH_API_PROFILE_INVALID", error.message, { field: error.field });
  if (error instanceof DuplicateProfileError) return new ApiError("TH_API_CONFLICT", error.message);
  if (error instanceof ProfileVersionConflictError) {
    return new ApiError("TH_API_PROFILE_VERSION_CONFLICT", error.message, { current: error.current });
  }
  if (error instanceof ProfileInUseError) return new ApiError("TH_API_PROFILE_IN_USE", error.message, { devices: error.devices });
  return error;
}

function rethrow(error: unknown): never {
  throw apiErrorOf(error);
}

/** Device profiles: list, read, create, replace (versioned), delete, and their history. */
export function registerProfileRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { api } = deps.config;
  const { profiles } = deps;

  http.get<{ Querystring: { limit: number; offset: number } }>(
    "/profiles",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "List device profiles",
        description: "Sorted by id; paged, the total also in the `X-Total-Count` header.",
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: api.maxPageSize, default: Math.min(api.defaultPageSize, api.maxPageSize) },
            offset: { ...PAGE_OFFSET_SCHEMA, default: 0 },
          },
        },
        response: { 200: pageOf(PROFILE_REF), ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const { limit, offset } = request.query;
      const { items, total } = await profiles.list({ limit, offset });
      void reply.header("X-Total-Count", String(total));
      const redact = redactionFor(request, deps);
      return { data: items.map((profile) => view(profile, redact)), total, limit, offset };
    },
  );

  http.get<{ Params: IdParams }>(
    "/profiles/:id",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "Get a device profile",
        params: PROFILE_ID_PARAMS,
        response: { 200: PROFILE_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const profile = await profiles.get(request.params.id);
      if (!profile) throw new ApiError("TH_API_NOT_FOUND", `no profile ${request.params.id}`);
      return view(profile, redactionFor(request, deps));
    },
  );

  http.post<{ Body: ProfileDefinition }>(
    "/profiles",
    {
      config: { access: "admin", audit: "profile.create" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "Create a device profile",
        description: "Version 1. A rule broken between fields (docs/api.md, Profiles) is `TH_API_PROFILE_INVALID`, naming the field.",
        body: PROFILE_CREATE_BODY,
        response: { 201: PROFILE_REF, ...errorResponses(409) },
      }),
    },
    async (request, reply) => {
      const profile = await profiles.create(request.body, callerOf(request).name).catch(rethrow);
      request.auditDetails = { target: profile.id, version: profile.version };
      return reply.code(201).send(profile);
    },
  );

  http.put<{ Params: IdParams; Body: UpdateBody }>(
    "/profiles/:id",
    {
      config: { access: "admin", audit: "profile.update" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "Replace a device profile",
        description:
          "The whole definition; the version goes up by one and the one replaced stays readable under `/versions`. With `version` (the version that was edited), a profile changed meanwhile is `TH_API_PROFILE_VERSION_CONFLICT`.",
        params: PROFILE_ID_PARAMS,
        body: PROFILE_UPDATE_BODY,
        response: { 200: PROFILE_REF, ...errorResponses(404, 409) },
      }),
    },
    async (request) => {
      const { version, ...rest } = request.body;
      const profile = await profiles.update({ ...rest, id: request.params.id }, version, callerOf(request).name).catch(rethrow);
      if (!profile) throw new ApiError("TH_API_NOT_FOUND", `no profile ${request.params.id}`);
      request.auditDetails = { version: profile.version };
      return profile;
    },
  );

  http.delete<{ Params: IdParams }>(
    "/profiles/:id",
    {
      config: { access: "admin", audit: "profile.delete" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "Delete a device profile and its history",
        description: "Refused with `TH_API_PROFILE_IN_USE` while devices have it.",
        params: PROFILE_ID_PARAMS,
        response: { 204: { type: "null", description: "Deleted" }, ...errorResponses(404, 409) },
      }),
    },
    async (request, reply) => {
      if (!(await profiles.delete(request.params.id).catch(rethrow))) {
        throw new ApiError("TH_API_NOT_FOUND", `no profile ${request.params.id}`);
      }
      return reply.code(204).send();
    },
  );

  http.get<{ Params: IdParams }>(
    "/profiles/:id/versions",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "List a profile's versions",
        description: "Every version the profile has had, the current one included, newest first.",
        params: PROFILE_ID_PARAMS,
        response: {
          200: {
            type: "object",
            required: ["data"],
            properties: {
              data: {
                type: "array",
                items: {
                  type: "object",
                  required: ["version", "updatedAt", "updatedBy"],
                  properties: { version: { type: "integer" }, updatedAt: TIMESTAMP_SCHEMA, updatedBy: { type: ["string", "null"] } },
                },
              },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (request) => {
      const versions = await profiles.versions(request.params.id);
      if (!versions) throw new ApiError("TH_API_NOT_FOUND", `no profile ${request.params.id}`);
      return { data: versions };
    },
  );

  http.get<{ Params: IdParams & { version: number } }>(
    "/profiles/:id/versions/:version",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["profiles"],
        summary: "Read a profile as it was at a version",
        params: VERSION_PARAMS,
        response: { 200: PROFILE_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const { id, version } = request.params;
      const profile = await profiles.version(id, version);
      if (!profile) throw new ApiError("TH_API_NOT_FOUND", `no version ${version} of profile ${id}`);
      return view(profile, redactionFor(request, deps));
    },
  );
}
