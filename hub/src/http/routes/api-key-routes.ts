import type { FastifyInstance } from "fastify";
import type { Caller } from "../../accounts/caller.js";
import { hashSecret } from "../../security/secrets.js";
import { type ApiKeyRecord, type ApiKeyRepository, ROLE_RANK, ROLES, type Role } from "../../storage/api-key-repository.js";
import type { UserRepository } from "../../storage/user-repository.js";
import { ApiError } from "../api-errors.js";
import { generateApiKey } from "../api-key-format.js";
import { callerOf } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { API_KEY_REF, errorResponses, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

/** A key as the API lists it: never the secret or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  ownerId: string | null;
  /** The owner's username; null for a legacy key. */
  ownerName: string | null;
  expiresAt: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
  revokedAt: number | null;
}

export function toApiKeyView(key: ApiKeyRecord, ownerName: string | null): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    ownerId: key.ownerId,
    ownerName,
    expiresAt: key.expiresAt,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revoked: key.revokedAt !== null,
    revokedAt: key.revokedAt,
  };
}

async function viewsOf(keys: readonly ApiKeyRecord[], users: UserRepository): Promise<ApiKeyView[]> {
  const names = new Map<string, string | null>();
  for (const ownerId of new Set(keys.map((key) => key.ownerId))) {
    if (ownerId !== null) names.set(ownerId, (await users.get(ownerId))?.username ?? null);
  }
  return keys.map((key) => toApiKeyView(key, key.ownerId === null ? null : (names.get(key.ownerId) ?? null)));
}

/** Whether the caller may see and revoke this key: admins every key, others the keys of their own user. */
function manages(caller: Caller, key: ApiKeyRecord): boolean {
  return caller.role === "admin" || (caller.user !== null && key.ownerId === caller.user.id);
}

interface CreateBody {
  name: string;
  role: Role;
  expiresAt?: number;
}

/**
 * Revocations run one at a time: the "last active admin" check and the revocation must not
 * interleave with another revocation's, or two requests could each leave the other's key last.
 */
function serialized(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * The last way in must stay: an admin key is "last" when no other active admin key exists and no
 * active admin user either (a user with a password can log in and make a new key).
 */
async function revokeUnlessLastWayIn(deps: HttpApiDeps, caller: Caller, id: string): Promise<void> {
  const apiKeys: ApiKeyRepository = deps.apiKeys;
  const keys = await apiKeys.list();
  const key = keys.find((candidate) => candidate.id === id);
  if (!key || !manages(caller, key)) throw new ApiError("TH_API_NOT_FOUND", `no API key ${id}`);
  if (key.revokedAt !== null) return;
  const at = deps.now();
  const activeAdminKeys = keys.filter(
    (candidate) => candidate.role === "admin" && candidate.revokedAt === null && (candidate.expiresAt === null || candidate.expiresAt > at),
  ).length;
  if (key.role === "admin" && activeAdminKeys <= 1 && (await deps.accounts.users.countActiveAdmins()) === 0)
    throw new ApiError(
      "TH_API_LAST_ADMIN_KEY",
      "this is the last way in as admin (no other admin key, no admin user); create another admin key first",
    );
  await apiKeys.revoke(id, at);
}

/** API keys for machines: list, create (the key is shown once), revoke. Admins manage every key; others their own. */
export function registerApiKeyRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const oneAtATime = serialized();

  http.get(
    "/api-keys",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["api-keys"],
        summary: "List API keys (without secrets): every key for an admin, one's own keys otherwise",
        response: {
          200: { type: "object", required: ["data"], properties: { data: { type: "array", items: API_KEY_REF } } },
          ...errorResponses(),
        },
      }),
    },
    async (request) => {
      const caller = callerOf(request);
      const keys = (await deps.apiKeys.list()).filter((key) => manages(caller, key));
      return { data: await viewsOf(keys, deps.accounts.users) };
    },
  );

  http.post<{ Body: CreateBody }>(
    "/api-keys",
    {
      config: { access: "viewer", audit: "api-key.create" },
      schema: routeSchema({
        tags: ["api-keys"],
        summary: "Create an API key",
        description:
          "Answers the full key once; the hub keeps only a hash of its secret. The key is owned by the calling user (or the calling key's owner) and its role may not exceed the caller's (`TH_API_FORBIDDEN`). `expiresAt` (ms since the epoch, in the future) ends it; without, it never expires.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["name", "role"],
          properties: {
            name: { type: "string", minLength: 1, maxLength: 128 },
            role: { type: "string", enum: [...ROLES] },
            expiresAt: { ...TIMESTAMP_SCHEMA, minimum: 0 },
          },
        },
        response: {
          201: {
            type: "object",
            required: ["apiKey", "key"],
            properties: { apiKey: API_KEY_REF, key: { type: "string", description: "thk_<id>_<secret>; shown only now" } },
          },
          ...errorResponses(),
        },
      }),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { name, role, expiresAt } = request.body;
      if (ROLE_RANK[role] > ROLE_RANK[caller.role])
        throw new ApiError("TH_API_FORBIDDEN", `a ${caller.role} cannot create a key with the ${role} role`);
      if (caller.user === null && caller.role !== "admin")
        throw new ApiError("TH_API_FORBIDDEN", "a key without an owner may not create keys; log in as a user, or ask an admin");
      const at = deps.now();
      if (expiresAt !== undefined && expiresAt <= at) throw new ApiError("TH_API_VALIDATION", "expiresAt is not in the future");
      const generated = generateApiKey();
      const record = await deps.apiKeys.create({
        id: generated.id,
        name,
        role,
        secretHash: hashSecret(generated.secret),
        ownerId: caller.user?.id ?? null,
        expiresAt: expiresAt ?? null,
        at,
      });
      request.auditDetails = { target: record.id, role: record.role, owner: caller.user ? `user:${caller.user.username}` : null };
      return reply.code(201).send({ apiKey: toApiKeyView(record, caller.user?.username ?? null), key: generated.key });
    },
  );

  http.delete<{ Params: { id: string } }>(
    "/api-keys/:id",
    {
      config: { access: "viewer", audit: "api-key.revoke" },
      schema: routeSchema({
        tags: ["api-keys"],
        summary: "Revoke an API key",
        description:
          "Admins revoke any key, others their own (another user's key is `TH_API_NOT_FOUND`). Refused with `TH_API_LAST_ADMIN_KEY` for the last active admin key when no active admin user exists. Revoking twice is harmless. Live connections opened with the key (WebSocket and SSE) are closed.",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", pattern: "^[0-9a-f]{16}$" } } },
        response: { 204: { type: "null", description: "Revoked" }, ...errorResponses(404, 409) },
      }),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await oneAtATime(() => revokeUnlessLastWayIn(deps, caller, request.params.id));
      deps.live.closeForKey(request.params.id);
      return reply.code(204).send();
    },
  );
}
