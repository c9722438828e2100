import type { FastifyInstance } from "fastify";
import { LoginThrottledError } from "../../accounts/logins.js";
import { toUserView, USER_REF } from "../../accounts/user-view.js";
import { ApiError } from "../api-errors.js";
import { callerOf, throttled } from "../authentication.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, routeSchema } from "../shared-schemas.js";
import { SESSION_ANSWER_SCHEMA, sessionAnswer, setSessionCookie } from "./session-routes.js";
import { PASSWORD_SCHEMA, userAdminError } from "./user-routes.js";

/** `GET /me`: who is calling (how the dashboard checks a login); `POST /me/password`: change one's own password. */
export function registerMeRoute(http: FastifyInstance, deps: HttpApiDeps): void {
  const { accounts } = deps;

  http.get(
    "/me",
    {
      config: { access: "viewer" },
      schema: routeSchema({
        tags: ["session"],
        summary: "The caller: a user (session) or an API key",
        description: "`id`, `name` and `role` are the user's (session) or the key's; `role` is what the caller may do.",
        response: {
          200: {
            type: "object",
            required: ["id", "name", "role", "kind"],
            properties: {
              id: { type: "string" },
              name: { type: "string" },
              role: { type: "string", enum: ["viewer", "operator", "admin"] },
              kind: { type: "string", enum: ["user", "key"] },
              user: { ...USER_REF, description: "The session's user, or the key's owner" },
              key: {
                type: "object",
                required: ["id", "name", "ownerId"],
                properties: { id: { type: "string" }, name: { type: "string" }, ownerId: { type: ["string", "null"] } },
              },
            },
          },
          ...errorResponses(),
        },
      }),
    },
    async (request) => {
      const caller = callerOf(request);
      return {
        id: caller.id,
        name: caller.name,
        role: caller.role,
        kind: caller.kind,
        ...(caller.user ? { user: toUserView(caller.user) } : {}),
        ...(caller.key ? { key: { id: caller.key.id, name: caller.key.name, ownerId: caller.key.ownerId } } : {}),
      };
    },
  );

  http.post<{ Body: { currentPassword: string; newPassword: string } }>(
    "/me/password",
    {
      config: { access: "viewer", audit: "user.password-change" },
      schema: routeSchema({
        tags: ["session"],
        summary: "Change one's own password",
        description:
          "Every other session of the user ends. With the session cookie the session is rotated: the answer sets a new cookie and carries the new CSRF token (200). With a key owned by the user: 204. A wrong `currentPassword` is `TH_API_WRONG_PASSWORD` and counts as a failed login.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["currentPassword", "newPassword"],
          properties: { currentPassword: PASSWORD_SCHEMA, newPassword: PASSWORD_SCHEMA },
        },
        response: { 200: SESSION_ANSWER_SCHEMA, 204: { type: "null", description: "Changed" }, ...errorResponses(404, 429) },
      }),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (!caller.user) throw new ApiError("TH_API_NOT_FOUND", "this key has no owner, so no password");
      const address = deps.clientAddresses.of(request.raw);
      let checked: Awaited<ReturnType<typeof accounts.passwords.check>>;
      try {
        checked = await accounts.passwords.check(caller.user.username, request.body.currentPassword, address);
      } catch (error) {
        if (error instanceof LoginThrottledError) throw throttled(reply, error.retryAfterMs, "too many failed password checks");
        throw error;
      }
      if (!checked) throw new ApiError("TH_API_WRONG_PASSWORD", "currentPassword is not the user's password");
      request.auditDetails = { target: caller.user.id };
      try {
        await accounts.admin.changeOwnPassword(caller.user, request.body.newPassword);
      } catch (error) {
        throw userAdminError(error);
      }
      if (!caller.session) return reply.code(204).send();
      // Every session ended, this one too; the caller continues in a new one (new id, new CSRF token).
      const { id, open } = await accounts.sessions.start(caller.user);
      setSessionCookie(deps, request, reply, id, open);
      return sessionAnswer(open);
    },
  );
}
