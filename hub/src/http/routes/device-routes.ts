import type { FastifyInstance } from "fastify";
import { DEVICE_STATES, type DeviceState, restrictToState } from "../../fleet/device-state.js";
import type { DeviceProfile } from "../../profiles/profile.js";
import { PROFILE_ID_PATTERN } from "../../profiles/profile-schema.js";
import { generateId, generateSecret, hashSecret } from "../../security/secrets.js";
import { type DeviceListQuery, type DeviceSortField, DuplicateDeviceError } from "../../storage/device-repository.js";
import { UnknownProfileError } from "../../storage/profile-repository.js";
import { ApiError } from "../api-errors.js";
import { callerOf } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import {
  DEVICE_ID_PARAMS,
  DEVICE_ID_PATTERN,
  DEVICE_REF,
  errorResponses,
  LABELS_SCHEMA,
  PAGE_OFFSET_SCHEMA,
  pageOf,
  routeSchema,
} from "../shared-schemas.js";
import { requireDevice, viewOf } from "./device-lookup.js";

const SORT_FIELDS: readonly DeviceSortField[] = ["id", "name", "createdAt", "lastSeenAt", "firmware", "model"];
const NAME_SCHEMA = { type: "string", minLength: 1, maxLength: 128 } as const;
const PROFILE_ID_SCHEMA = {
  type: ["string", "null"],
  pattern: PROFILE_ID_PATTERN,
  description: "The device's profile (`/profiles/:id`); null: none. An unknown one is `TH_API_PROFILE_UNKNOWN`",
} as const;

interface ListQuerystring {
  limit: number;
  offset: number;
  sort: string;
  q?: string;
  connected?: boolean;
  revoked?: boolean;
  model?: string;
  firmware?: string;
  profileId?: string;
  label?: string[];
  state?: DeviceState;
}

interface CreateBody {
  id?: string;
  name?: string;
  labels?: Record<string, string>;
  profileId?: string | null;
}

interface PatchBody {
  name?: string;
  labels?: Record<string, string>;
  profileId?: string | null;
}

type IdParams = { id: string };

/** Device registry routes: list with paging/sort/filters, create (token shown once), read, update, delete. */
export function registerDeviceRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { api } = deps.config;

  http.get<{ Querystring: ListQuerystring }>(
    "/devices",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "List devices",
        description:
          "Paged; the total is also in the `X-Total-Count` header. `sort` is a field, `-field` for descending; `id` and `name` sort naturally " +
          "(`sim-2` before `sim-10`, case-insensitive). Filters combine (all must hold).",
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: api.maxPageSize, default: Math.min(api.defaultPageSize, api.maxPageSize) },
            offset: { ...PAGE_OFFSET_SCHEMA, default: 0 },
            sort: { type: "string", enum: SORT_FIELDS.flatMap((field) => [field, `-${field}`]), default: "id" },
            q: { type: "string", maxLength: 200, description: "Case-insensitive substring of id or name" },
            connected: { type: "boolean", description: "Only devices with (true) or without (false) a live session" },
            revoked: { type: "boolean" },
            model: { type: "string", maxLength: 200 },
            firmware: { type: "string", maxLength: 200 },
            profileId: { type: "string", maxLength: 64, description: "Only devices with this profile" },
            label: {
              type: "array",
              maxItems: 16,
              items: { type: "string", pattern: "^[A-Za-z0-9_.:/-]{1,64}=.{0,256}$" },
              description: "`key=value`: only devices with this label (repeat for several, all must match)",
            },
            state: {
              type: "string",
              enum: [...DEVICE_STATES],
              description:
                "online (connected), offline (not connected, seen before), never (never seen), revoked, or stale (online, readings older than `live.staleAfterMs`); online, offline, never and stale leave revoked devices out",
            },
          },
        },
        response: {
          200: pageOf(DEVICE_REF),
          ...errorResponses(),
        },
      }),
    },
    async (request, reply) => {
      const { limit, offset, sort, q, connected, revoked, model, firmware } = request.query;
      const descending = sort.startsWith("-");
      const query: DeviceListQuery = {
        limit,
        offset,
        sort: (descending ? sort.slice(1) : sort) as DeviceSortField,
        order: descending ? "desc" : "asc",
      };
      if (q !== undefined && q !== "") query.search = q;
      if (connected === true) query.ids = deps.presence.connectedIds();
      if (connected === false) query.excludeIds = deps.presence.connectedIds();
      if (revoked !== undefined) query.revoked = revoked;
      if (model !== undefined) query.model = model;
      if (firmware !== undefined) query.firmware = firmware;
      const { profileId, label, state } = request.query;
      if (profileId !== undefined) query.profileId = profileId;
      if (label !== undefined)
        query.labels = Object.fromEntries(label.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
      if (state !== undefined) {
        const { presence, freshness } = deps;
        restrictToState(query, state, { presence, freshness, now: deps.now(), staleAfterMs: deps.config.live.staleAfterMs });
      }
      const { items, total } = await deps.devices.list(query);
      void reply.header("X-Total-Count", String(total));
      return { data: items.map((device) => viewOf(deps, device)), total, limit, offset };
    },
  );

  http.post<{ Body: CreateBody }>(
    "/devices",
    {
      config: { access: "operator", audit: "device.create" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Register a device",
        description:
          "Answers the device's token once; the hub keeps only its hash. Without `id` one is generated; without `name` the id is used.",
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            id: { type: "string", pattern: DEVICE_ID_PATTERN },
            name: NAME_SCHEMA,
            labels: LABELS_SCHEMA,
            profileId: PROFILE_ID_SCHEMA,
          },
        },
        response: {
          201: {
            type: "object",
            required: ["device", "token"],
            properties: { device: DEVICE_REF, token: { type: "string", description: "The device's secret token; shown only now" } },
          },
          ...errorResponses(409),
        },
      }),
    },
    async (request, reply) => {
      const id = request.body.id ?? generateId();
      const profile = await requireProfile(deps, request.body.profileId);
      const token = generateSecret();
      try {
        const device = await deps.devices.create({
          id,
          name: request.body.name ?? id,
          tokenHash: hashSecret(token),
          labels: request.body.labels ?? {},
          profileId: profile?.id ?? null,
          at: deps.now(),
        });
        if (profile) await deps.profiles.profileGiven(device.id, profile, callerOf(request).id);
        await deps.alarms.deviceChanged(device.id);
        request.auditDetails = { target: device.id };
        return reply.code(201).send({ device: viewOf(deps, device), token });
      } catch (error) {
        if (error instanceof DuplicateDeviceError) throw new ApiError("TH_API_CONFLICT", `device ${id} already exists`);
        if (error instanceof UnknownProfileError) throw new ApiError("TH_API_PROFILE_UNKNOWN", error.message);
        throw error;
      }
    },
  );

  http.get<{ Params: IdParams }>(
    "/devices/:id",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Get a device",
        params: DEVICE_ID_PARAMS,
        response: { 200: DEVICE_REF, ...errorResponses(404) },
      }),
    },
    async (request) => viewOf(deps, await requireDevice(deps, request.params.id)),
  );

  http.patch<{ Params: IdParams; Body: PatchBody }>(
    "/devices/:id",
    {
      config: { access: "operator", audit: "device.update" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Rename a device, replace its labels or change its profile",
        description:
          "`labels` replaces the whole label map. A new `profileId` gives the device the profile's default configuration if it has none.",
        params: DEVICE_ID_PARAMS,
        body: {
          type: "object",
          additionalProperties: false,
          minProperties: 1,
          properties: { name: NAME_SCHEMA, labels: LABELS_SCHEMA, profileId: PROFILE_ID_SCHEMA },
        },
        response: { 200: DEVICE_REF, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const profile = await requireProfile(deps, request.body.profileId);
      const device = await deps.devices.update(request.params.id, request.body, deps.now()).catch((error: unknown) => {
        throw error instanceof UnknownProfileError ? new ApiError("TH_API_PROFILE_UNKNOWN", error.message) : error;
      });
      if (!device) throw new ApiError("TH_API_NOT_FOUND", `no device ${request.params.id}`);
      if (profile) await deps.profiles.profileGiven(device.id, profile, callerOf(request).id);
      await deps.alarms.deviceChanged(device.id);
      return viewOf(deps, device);
    },
  );

  http.delete<{ Params: IdParams }>(
    "/devices/:id",
    {
      config: { access: "operator", audit: "device.delete" },
      schema: routeSchema({
        tags: ["devices"],
        summary: "Delete a device and its telemetry",
        description: "A live session is closed with `TH_DEVICE_DELETED`.",
        params: DEVICE_ID_PARAMS,
        response: { 204: { type: "null", description: "Deleted" }, ...errorResponses(404) },
      }),
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await deps.devices.delete(id))) throw new ApiError("TH_API_NOT_FOUND", `no device ${id}`);
      deps.presence.disconnect(id, "TH_DEVICE_DELETED");
      await deps.presence.settled(id);
      await deps.telemetry.forgetDevice(id);
      deps.admission.forgetDevice(id);
      await deps.commands.cancelPending(id);
      await deps.alarms.deviceDeleted(id);
      return reply.code(204).send();
    },
  );
}

/** The profile a body names (`TH_API_PROFILE_UNKNOWN` if there is none); undefined when it names none. */
async function requireProfile(deps: HttpApiDeps, profileId: string | null | undefined): Promise<DeviceProfile | undefined> {
  if (profileId === undefined || profileId === null) return undefined;
  const profile = await deps.profiles.get(profileId);
  if (!profile) throw new ApiError("TH_API_PROFILE_UNKNOWN", `no profile ${profileId}`);
  return profile;
}
