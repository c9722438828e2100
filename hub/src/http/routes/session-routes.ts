import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { actorOf } from "../../accounts/caller.js";
import { LoginThrottledError } from "../../accounts/logins.js";
import { MAX_PASSWORD_BYTES } from "../../accounts/passwords.js";
import { clearedSessionCookie, sessionCookie } from "../../accounts/session-cookie.js";
import type { OpenSession } from "../../accounts/sessions.js";
import { toUserView, USER_REF } from "../../accounts/user-view.js";
import type { UserRecord } from "../../storage/user-repository.js";
import { ApiError } from "../api-errors.js";
import { callerOf, throttled } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, routeSchema, TIMESTAMP_SCHEMA } from "../shared-schemas.js";

/** The answer of a login, of `GET /session` and of a password change from a session. */
export const SESSION_ANSWER_SCHEMA = {
  type: "object",
  required: ["user", "csrfToken", "expiresAt", "idleExpiresAt"],
  properties: {
    user: USER_REF,
    csrfToken: { type: "string", description: "Send as X-CSRF-Token with every POST, PUT, PATCH and DELETE made with the session cookie" },
    expiresAt: { ...TIMESTAMP_SCHEMA, description: "The session ends then at the latest (security.sessionMaxMs after login)" },
    idleExpiresAt: { ...TIMESTAMP_SCHEMA, description: "The session ends then unless used before (security.sessionIdleMs)" },
  },
} as const;

/** The body of {@link SESSION_ANSWER_SCHEMA}. */
export function sessionAnswer(open: OpenSession) {
  return { user: toUserView(open.user), csrfToken: open.record.csrfToken, expiresAt: open.expiresAt, idleExpiresAt: open.idleExpiresAt };
}

/** Whether cookies for this request get `Secure`: the client reached the hub over https (directly or through a trusted proxy). */
export function secureCookies(deps: HttpApiDeps, request: FastifyRequest): boolean {
  return deps.clientAddresses.protocolOf(request.raw) === "https";
}

/** Set the cookie of a new session on the answer. */
export function setSessionCookie(deps: HttpApiDeps, request: FastifyRequest, reply: FastifyReply, id: string, open: OpenSession): void {
  void reply.header("set-cookie", sessionCookie(id, open.expiresAt, deps.now(), secureCookies(deps, request)));
}

function requireSession(request: FastifyRequest) {
  const session = callerOf(request).session;
  if (!session) throw new ApiError("TH_API_NOT_FOUND", "this request was authenticated with an API key, which has no session");
  return session;
}

interface LoginBody {
  username: string;
  password: string;
}

/** Dashboard sessions: log in, pick up the session in a new tab, log out, log out everywhere. */
export function registerSessionRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { accounts } = deps;

  http.post<{ Body: LoginBody }>(
    "/session",
    {
      config: { access: "public" },
      schema: routeSchema({
        tags: ["session"],
        summary: "Log in with a username and password",
        description:
          "Sets the session cookie `telehub_session` (HttpOnly, SameSite=Strict, Path=/, Secure over https). A wrong username or password gets one answer for both. Throttled per account and per address (`TH_API_THROTTLED`).",
        security: [],
        body: {
          type: "object",
          additionalProperties: false,
          required: ["username", "password"],
          properties: {
            username: { type: "string", minLength: 1, maxLength: 256 },
            password: { type: "string", minLength: 1, maxLength: MAX_PASSWORD_BYTES * 4 },
          },
        },
        response: { 200: SESSION_ANSWER_SCHEMA, ...errorResponses(429) },
      }),
    },
    async (request, reply) => {
      const address = deps.clientAddresses.of(request.raw);
      let user: Awaited<ReturnType<typeof accounts.passwords.check>>;
      try {
        user = await accounts.passwords.check(request.body.username, request.body.password, address);
      } catch (error) {
        if (error instanceof LoginThrottledError)
          throw throttled(reply, error.retryAfterMs, "too many failed logins for this account or from this address");
        throw error;
      }
      const at = deps.now();
      if (!user) {
        await deps.audit.record({
          at,
          actor: `login:${request.body.username.slice(0, 64).toLowerCase()}`,
          action: "session.login-failed",
          target: "",
          details: { address },
        });
        throw new ApiError("TH_API_UNAUTHORIZED", "wrong username or password");
      }
      const { id, open } = await accounts.sessions.start(user);
      await accounts.users.touchLogin(user.id, at);
      open.user = { ...open.user, lastLoginAt: at };
      await deps.audit.record({
        at,
        actor: `user:${user.username}`,
        actorName: user.name,
        action: "session.login",
        target: user.id,
        details: { address },
      });
      setSessionCookie(deps, request, reply, id, open);
      return sessionAnswer(open);
    },
  );

  http.get(
    "/session",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["session"],
        summary: "The current session (a new tab picks up the login and its CSRF token)",
        description: "Needs the session cookie; with an API key it answers 404.",
        response: { 200: SESSION_ANSWER_SCHEMA, ...errorResponses(404) },
      }),
    },
    async (request) => {
      const session = requireSession(request);
      return sessionAnswer(accounts.sessions.describe(session, callerOf(request).user as UserRecord));
    },
  );

  http.delete(
    "/session",
    {
      config: { access: "viewer", audit: "session.logout" },
      schema: routeSchema({
        tags: ["session"],
        summary: "Log out (end this session, clear the cookie)",
        description: "Needs the session cookie and X-CSRF-Token; with an API key it answers 404.",
        response: { 204: { type: "null", description: "Logged out" }, ...errorResponses(404) },
      }),
    },
    async (request, reply) => {
      const session = requireSession(request);
      await accounts.sessions.end(session);
      request.auditDetails = { target: callerOf(request).id };
      return reply
        .code(204)
        .header("set-cookie", clearedSessionCookie(secureCookies(deps, request)))
        .send();
    },
  );

  http.delete(
    "/sessions",
    {
      config: { access: "viewer", audit: "session.logout-all" },
      schema: routeSchema({
        tags: ["session"],
        summary: "Log out everywhere (end every session of the caller's user)",
        description:
          "With the session cookie (and X-CSRF-Token) or with a key owned by the user; a legacy key without an owner ends nothing.",
        response: { 204: { type: "null", description: "Every session of the user ended" }, ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const ended = caller.user ? await accounts.sessions.endAllFor(caller.user.id) : 0;
      request.auditDetails = { target: caller.user?.id ?? "", sessions: ended, by: actorOf(caller) };
      if (caller.session) void reply.header("set-cookie", clearedSessionCookie(secureCookies(deps, request)));
      return reply.code(204).send();
    },
  );
}
