import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Caller } from "../accounts/caller.js";
import { sessionIdFrom } from "../accounts/session-cookie.js";
import { csrfTokenMatches, needsCsrfToken, type Sessions } from "../accounts/sessions.js";
import type { ClientAddresses } from "../security/client-address.js";
import type { FailureThrottle } from "../security/failure-throttle.js";
import { verifySecret } from "../security/secrets.js";
import { type ApiKeyRecord, type ApiKeyRepository, ROLE_RANK, type Role } from "../storage/api-key-repository.js";
import type { UserRepository } from "../storage/user-repository.js";
import { ApiError } from "./api-errors.js";
import { parseApiKey } from "./api-key-format.js";
import type { HttpApiDeps } from "./http-api-deps.js";

/** Who may call a route: anyone (`public`), or a caller with at least this role. */
export type Access = "public" | Role;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; a route that does not say is admin-only. */
    access?: Access;
  }
  interface FastifyRequest {
    /** Who authenticated the request (session or API key); null on public routes. */
    caller: Caller | null;
  }
}

/** `lastUsedAt` is written at most this often per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Header a cookie-authenticated state-changing request carries its session's CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

/** Who made the request (only on routes that need a caller). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new ApiError("TH_API_INTERNAL", "route needs an authenticated caller");
  return request.caller;
}

/** The answer to a throttled client: 429 with `Retry-After`. */
export function throttled(reply: FastifyReply, blockedMs: number, message: string): ApiError {
  const seconds = Math.ceil(blockedMs / 1000);
  void reply.header("retry-after", String(seconds));
  return new ApiError("TH_API_THROTTLED", message, { retryAfterSeconds: seconds });
}

/** An authentication that failed, with what the client is told. */
export class AuthenticationError extends Error {
  constructor(
    readonly status: 401 | 429,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = "AuthenticationError";
  }
}

/**
 * Authenticates API requests and live-channel upgrades: `Authorization: Bearer thk_<id>_<secret>`
 * (wins when present), else the `telehub_session` cookie. Failures count in the API's throttle
 * keyed by identity and client address: `key:<id>` for a key, `session` for a bad cookie,
 * `anonymous` for no credential or a malformed Authorization header.
 */
export class ApiAuthenticator {
  constructor(
    private readonly deps: {
      apiKeys: ApiKeyRepository;
      users: UserRepository;
      sessions: Sessions;
      throttle: FailureThrottle;
      addresses: ClientAddresses;
      now: () => number;
    },
  ) {}

  /**
   * Who sent this request or upgrade.
   * @throws AuthenticationError (401 no, wrong, revoked or expired credential; 429 throttled).
   */
  async authenticate(req: IncomingMessage, presentedKey?: string): Promise<Caller> {
    const address = this.deps.addresses.of(req);
    const header = req.headers.authorization;
    if (presentedKey !== undefined || header !== undefined) {
      const match = header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header);
      const key = presentedKey ?? match?.[1];
      const parts = key === undefined ? undefined : parseApiKey(key);
      // Failures are counted per (key id, address): a bad key does not lock out the good keys beside it.
      const identity = parts ? `key:${parts.id}` : "anonymous";
      this.refuseIfThrottled(identity, address);
      const caller = key === undefined || !parts ? undefined : await this.byKey(key);
      if (!caller) {
        this.deps.throttle.failed(identity, address);
        throw new AuthenticationError(
          401,
          parts ? "unknown, wrong, expired or revoked API key" : "the Authorization header is not Bearer thk_<id>_<secret>",
        );
      }
      this.deps.throttle.succeeded(identity, address);
      return caller;
    }
    const sessionId = sessionIdFrom(req.headers.cookie);
    if (sessionId === undefined) {
      this.refuseIfThrottled("anonymous", address);
      this.deps.throttle.failed("anonymous", address);
      throw new AuthenticationError(401, "log in, or send Authorization: Bearer <API key>");
    }
    // A live session is served even from a throttled address: its 256-bit id cannot have been guessed, and
    // the (session, address) pair is shared by every cookie from that address. Only failures wait.
    const open = await this.deps.sessions.resolve(sessionId);
    if (!open) {
      this.refuseIfThrottled("session", address);
      this.deps.throttle.failed("session", address);
      throw new AuthenticationError(401, "the session ended or expired: log in again");
    }
    this.deps.throttle.succeeded("session", address);
    const { user, record } = open;
    return { kind: "user", id: user.id, name: user.name, role: user.role, user, key: null, session: record };
  }

  /** The caller an API key string makes, if it is active: not revoked or expired, its owner (if any) active; its role capped by the owner's. */
  async byKey(presented: string): Promise<Caller | undefined> {
    const key = await verifyApiKey(this.deps.apiKeys, presented, this.deps.now());
    if (!key) return undefined;
    if (key.ownerId === null) return { kind: "key", id: key.id, name: key.name, role: key.role, user: null, key, session: null };
    const owner = await this.deps.users.get(key.ownerId);
    if (!owner || owner.disabledAt !== null || owner.deletedAt !== null) return undefined;
    const role = ROLE_RANK[owner.role] < ROLE_RANK[key.role] ? owner.role : key.role;
    return { kind: "key", id: key.id, name: key.name, role, user: owner, key, session: null };
  }

  private refuseIfThrottled(identity: string, address: string): void {
    const blockedMs = this.deps.throttle.blockedFor(identity, address);
    if (blockedMs > 0) throw new AuthenticationError(429, "too many failed authentications from this address", blockedMs);
  }
}

/**
 * Authenticate every request of the context (see {@link ApiAuthenticator}), check CSRF for
 * cookie sessions (`X-CSRF-Token` on POST, PUT, PATCH, DELETE) and the route's `access` role.
 * Runs in `onRequest`, before the body is read. The request decorator `caller` must exist
 * (`registerHttpApi` adds it once).
 */
export function installAuthentication(http: FastifyInstance, deps: Pick<HttpApiDeps, "authenticator" | "apiKeys" | "now">): void {
  const { authenticator, apiKeys, now } = deps;
  const touchedAt = new Map<string, number>();
  http.addHook("onRequest", async (request, reply) => {
    // An unmatched route needs a valid credential too (so routes cannot be probed) but no role.
    const access: Access = request.is404 ? "viewer" : (request.routeOptions.config.access ?? "admin");
    if (access === "public") return;
    let caller: Caller;
    try {
      caller = await authenticator.authenticate(request.raw);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      if (error.status === 429) throw throttled(reply, error.retryAfterMs, error.message);
      throw new ApiError("TH_API_UNAUTHORIZED", error.message);
    }
    if (caller.session && needsCsrfToken(request.method) && !csrfTokenMatches(caller.session, request.headers[CSRF_HEADER]))
      throw new ApiError("TH_API_CSRF", "a request with the session cookie that changes something needs the session's X-CSRF-Token header");
    if (ROLE_RANK[caller.role] < ROLE_RANK[access])
      throw new ApiError("TH_API_FORBIDDEN", `this request needs the ${access} role; the ${caller.kind} has ${caller.role}`);
    request.caller = caller;
    const key = caller.key;
    if (!key) return;
    const at = now();
    const last = Math.max(key.lastUsedAt ?? Number.NEGATIVE_INFINITY, touchedAt.get(key.id) ?? Number.NEGATIVE_INFINITY);
    if (at - last >= LAST_USED_RESOLUTION_MS) {
      touchedAt.set(key.id, at);
      await apiKeys.touch(key.id, at);
    }
  });
}

/** The active key a presented API key string names, if its secret matches and it is neither revoked nor expired; undefined otherwise. */
export async function verifyApiKey(apiKeys: ApiKeyRepository, presented: string, now: number): Promise<ApiKeyRecord | undefined> {
  const parts = parseApiKey(presented);
  if (!parts) return undefined;
  const key = await apiKeys.get(parts.id);
  // Unknown, wrong, revoked and expired keys get one answer, so key ids cannot be probed.
  if (!key || !verifySecret(parts.secret, key.secretHash) || key.revokedAt !== null) return undefined;
  if (key.expiresAt !== null && now >= key.expiresAt) return undefined;
  return key;
}
