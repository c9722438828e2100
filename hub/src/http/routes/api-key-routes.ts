import type { FastifyInstance } from "fastify";
import { hashSecret } from "../../security/secrets.js";
import { type ApiKeyRecord, type ApiKeyRepository, ROLES, type Role } from "../../storage/api-key-repository.js";
import { ApiError } from "../api-errors.js";
import { generateApiKey } from "../api-key-format.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { API_KEY_REF, errorResponses, routeSchema } from "../shared-schemas.js";

/** A key as the API lists it: never the secret or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
  revokedAt: number | null;
}

export function toApiKeyView(key: ApiKeyRecord): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revoked: key.revokedAt !== null,
    revokedAt: key.revokedAt,
  };
}

interface CreateBody {
  name: string;
  role: Role;
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

async function revokeUnlessLastAdmin(apiKeys: ApiKeyRepository, id: string, at: number): Promise<void> {
  const keys = await apiKeys.list();
  const key = keys.find((candidate) => candidate.id === id);
  if (!key) throw new ApiError("TH_API_NOT_FOUND", `no API key ${id}`);
  if (key.revokedAt !== null) return;
  const activeAdmins = keys.filter((candidate) => candidate.role === "admin" && candidate.revokedAt === null).length;
  if (key.role === "admin" && activeAdmins <= 1)
    throw new ApiError("TH_API_LAST_ADMIN_KEY", "this is the last active admin key; create another admin key first");
  await apiKeys.revoke(id, at);
}

/** Operator API keys (admin only): list, create (the key is shown once), revoke. */
export function registerApiKeyRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const oneAtATime = serialized();

  http.get(
    "/api-keys",
    {
      config: { access: "admin" },
      schema: routeSchema({
        tags: ["api-keys"],
        summary: "List API keys (without secrets)",
        response: {
          200: { type: "object", required: ["data"], properties: { data: { type: "array", items: API_KEY_REF } } },
          ...errorResponses(),
        },
      }),
    },
    async () => ({ data: (await deps.apiKeys.list()).map(toApiKeyView) }),
  );

  http.post<{ Body: CreateBody }>(
    "/api-keys",
    {
      config: { access: "admin", audit: "api-key.create" },
      schema: routeSchema({
        tags: ["api-keys"],
        summary: "Create an API key",
        description: "Answers the full key once; the hub keeps only a hash of its secret.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["name", "role"],
          properties: { name: { type: "string", minLength: 1, maxLength: 128 }, role: { type: "string", enum: [...ROLES] } },
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
      const generated = generateApiKey();
      const record = await deps.apiKeys.create({
        id: generated.id,
        name: request.body.name,
        role: request.body.role,
        secretHash: hashSecret(generated.secret),
        at: deps.now(),
      });
      request.auditDetails = { target: record.id, role: record.role };
      return reply.code(201).send({ apiKey: toApiKeyView(record), key: generated.key });
    },
  );

  http.delete<{ Params: { id: string } }>(
    "/api-keys/:id",
    {
      config: { access: "admin", audit: "api-key.revoke" },
      schema: routeSchema({
        tags: ["api-keys"],
        summary: "Revoke an API key",
        description:
          "Refused with `TH_API_LAST_ADMIN_KEY` for the last active admin key. Revoking twice is harmless. Live connections opened with the key (WebSocket and SSE) are closed.",
        params: { type: "object", required: ["id"], properties: { id: { type: "string", pattern: "^[0-9a-f]{16}$" } } },
        response: { 204: { type: "null", description: "Revoked" }, ...errorResponses(404, 409) },
      }),
    },
    async (request, reply) => {
      await oneAtATime(() => revokeUnlessLastAdmin(deps.apiKeys, request.params.id, deps.now()));
      deps.live.closeForKey(request.params.id);
      return reply.code(204).send();
    },
  );
}
