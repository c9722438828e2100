import type { FastifyInstance, FastifyRequest } from "fastify";
import { verifySecret } from "../security/secrets.js";
import type { ApiKeyRecord, ApiKeyRepository, Role } from "../storage/api-key-repository.js";
import { ApiError } from "./api-errors.js";
import { parseApiKey } from "./api-key-format.js";
import type { HttpApiDeps } from "./http-api-deps.js";

/** Who may call a route: anyone (`public`), or a key with at least this role. */
export type Access = "public" | Role;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; a route that does not say is admin-only. */
    access?: Access;
  }
  interface FastifyRequest {
    /** The key that authenticated the request; null on public routes. */
    apiKey: ApiKeyRecord | null;
  }
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** `lastUsedAt` is written at most this often per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** The key that authenticated the request (only on routes that need one). */
export function callerOf(request: FastifyRequest): ApiKeyRecord {
  if (!request.apiKey) throw new ApiError("TH_API_INTERNAL", "route needs an authenticated caller");
  return request.apiKey;
}

/**
 * Authenticate every request of the context with `Authorization: Bearer thk_<id>_<secret>`
 * and check the route's `access` role. Runs in `onRequest`, before the body is read. The
 * request decorator `apiKey` must exist (`registerHttpApi` adds it once).
 */
export function installAuthentication(
  http: FastifyInstance,
  deps: Pick<HttpApiDeps, "apiKeys" | "now" | "apiThrottle" | "clientAddresses">,
): void {
  const { apiKeys, now, apiThrottle: throttle, clientAddresses } = deps;
  const touchedAt = new Map<string, number>();
  http.addHook("onRequest", async (request, reply) => {
    // An unmatched route needs a valid key too (so routes cannot be probed) but no role.
    const access: Access = request.is404 ? "viewer" : (request.routeOptions.config.access ?? "admin");
    if (access === "public") return;
    const presented = presentedKey(request.headers.authorization);
    // Failures are counted per (key id, address): a bad key does not lock out the good keys beside it.
    const identity = typeof presented === "string" ? `key:${(parseApiKey(presented) as { id: string }).id}` : "anonymous";
    const address = clientAddresses.of(request.raw);
    const blockedMs = throttle.blockedFor(identity, address);
    if (blockedMs > 0) {
      reply.header("retry-after", String(Math.ceil(blockedMs / 1000)));
      throw new ApiError("TH_API_THROTTLED", "too many failed authentications of this credential from this address", {
        retryAfterSeconds: Math.ceil(blockedMs / 1000),
      });
    }
    const key = typeof presented === "string" ? await verifyApiKey(apiKeys, presented) : undefined;
    if (!key) {
      throttle.failed(identity, address);
      throw new ApiError(
        "TH_API_UNAUTHORIZED",
        presented === undefined
          ? "send Authorization: Bearer <API key>"
          : presented === null
            ? "the Authorization header is not Bearer thk_<id>_<secret>"
            : "unknown, wrong or revoked API key",
      );
    }
    throttle.succeeded(identity, address);
    if (RANK[key.role] < RANK[access])
      throw new ApiError("TH_API_FORBIDDEN", `this request needs the ${access} role; the key has ${key.role}`);
    request.apiKey = key;
    const at = now();
    const last = Math.max(key.lastUsedAt ?? Number.NEGATIVE_INFINITY, touchedAt.get(key.id) ?? Number.NEGATIVE_INFINITY);
    if (at - last >= LAST_USED_RESOLUTION_MS) {
      touchedAt.set(key.id, at);
      await apiKeys.touch(key.id, at);
    }
  });
}

/** The key string of a `Bearer thk_<id>_<secret>` header; undefined without a header, null if it is not one. */
function presentedKey(header: string | undefined): string | null | undefined {
  if (!header) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match && parseApiKey(match[1] as string) ? (match[1] as string) : null;
}

/** The active key a presented API key string names, if its secret matches; undefined otherwise. */
export async function verifyApiKey(apiKeys: ApiKeyRepository, presented: string): Promise<ApiKeyRecord | undefined> {
  const parts = parseApiKey(presented);
  if (!parts) return undefined;
  const key = await apiKeys.get(parts.id);
  // Unknown, wrong and revoked keys get one answer, so key ids cannot be probed.
  if (!key || !verifySecret(parts.secret, key.secretHash) || key.revokedAt !== null) return undefined;
  return key;
}
