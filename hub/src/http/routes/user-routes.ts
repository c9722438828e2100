import type { FastifyInstance } from "fastify";
import { MAX_PASSWORD_BYTES } from "../../accounts/passwords.js";
import { UserAdminError } from "../../accounts/user-admin.js";
import { toUserView, USER_REF } from "../../accounts/user-view.js";
import { USERNAME_INPUT_PATTERN } from "../../accounts/usernames.js";
import { ROLES, type Role } from "../../storage/api-key-repository.js";
import { ApiError } from "../api-errors.js";
import type { HttpApiDeps } from "../http-api-deps.js";
import { errorResponses, PAGE_OFFSET_SCHEMA, pageOf, routeSchema } from "../shared-schemas.js";

const ID_PARAMS = { type: "object", required: ["id"], properties: { id: { type: "string", pattern: "^[0-9a-f]{16}$" } } } as const;
const NAME_SCHEMA = { type: "string", minLength: 1, maxLength: 128 } as const;
const EMAIL_SCHEMA = {
  type: "string",
  maxLength: 254,
  pattern: "^$|^[^@\\s]+@[^@\\s]+$",
  description: "An e-mail address, or empty",
} as const;
/** Length is checked in characters and bytes by the hub (at least 12 characters, at most 1,024 bytes). */
export const PASSWORD_SCHEMA = { type: "string", minLength: 1, maxLength: MAX_PASSWORD_BYTES } as const;

/** Translate a refused user change into its API error. */
export function userAdminError(error: unknown): unknown {
  if (!(error instanceof UserAdminError)) return error;
  if (error.kind === "not-found") return new ApiError("TH_API_NOT_FOUND", error.message);
  if (error.kind === "conflict") return new ApiError("TH_API_CONFLICT", error.message);
  if (error.kind === "last-admin") return new ApiError("TH_API_LAST_ADMIN", error.message);
  return new ApiError("TH_API_VALIDATION", error.message);
}

async function translated<T>(task: Promise<T>): Promise<T> {
  try {
    return await task;
  } catch (error) {
    throw userAdminError(error);
  }
}

interface CreateBody {
  username: string;
  name?: string;
  email?: string;
  role: Role;
  password: string;
}

interface PatchBody {
  name?: string;
  email?: string;
  role?: Role;
  disabled?: boolean;
}

type IdParams = { id: string };

/** Users (admin only): list, create, read, change, reset a password, delete. */
export function registerUserRoutes(http: FastifyInstance, deps: HttpApiDeps): void {
  const { api } = deps.config;
  const { accounts } = deps;

  http.get<{ Querystring: { limit: number; offset: number } }>(
    "/users",
    {
      config: { access: "admin" },
      schema: routeSchema({
        tags: ["users"],
        summary: "List users (deleted users are left out)",
        description: "Paged like the device list; the total is also in the `X-Total-Count` header.",
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: api.maxPageSize, default: Math.min(api.defaultPageSize, api.maxPageSize) },
            offset: { ...PAGE_OFFSET_SCHEMA, default: 0 },
          },
        },
        response: { 200: pageOf(USER_REF), ...errorResponses() },
      }),
    },
    async (request, reply) => {
      const { limit, offset } = request.query;
      const { items, total } = await accounts.users.list({ limit, offset });
      void reply.header("X-Total-Count", String(total));
      return { data: items.map(toUserView), total, limit, offset };
    },
  );

  http.post<{ Body: CreateBody }>(
    "/users",
    {
      config: { access: "admin", audit: "user.create" },
      schema: routeSchema({
        tags: ["users"],
        summary: "Create a user",
        description:
          "The username is stored lowercase and must be unique (also among deleted users). Without `name` the username is used. The password has at least 12 characters and at most 1,024 bytes.",
        body: {
          type: "object",
          additionalProperties: false,
          required: ["username", "role", "password"],
          properties: {
            username: { type: "string", pattern: USERNAME_INPUT_PATTERN },
            name: NAME_SCHEMA,
            email: EMAIL_SCHEMA,
            role: { type: "string", enum: [...ROLES] },
            password: PASSWORD_SCHEMA,
          },
        },
        response: { 201: USER_REF, ...errorResponses(409) },
      }),
    },
    async (request, reply) => {
      const { username, name, email, role, password } = request.body;
      const user = await translated(
        accounts.admin.create({ username, name: name ?? username.toLowerCase(), email: email ?? "", role, password }),
      );
      request.auditDetails = { target: user.id, username: user.username, role: user.role };
      return reply.code(201).send(toUserView(user));
    },
  );

  http.get<{ Params: IdParams }>(
    "/users/:id",
    {
      config: { access: "admin" },
      schema: routeSchema({
        tags: ["users"],
        summary: "Read a user",
        params: ID_PARAMS,
        response: { 200: USER_REF, ...errorResponses(404) },
      }),
    },
    async (request) => toUserView(await translated(accounts.admin.get(request.params.id))),
  );

  http.patch<{ Params: IdParams; Body: PatchBody }>(
    "/users/:id",
    {
      config: { access: "admin", audit: "user.update" },
      schema: routeSchema({
        tags: ["users"],
        summary: "Change a user's name, e-mail, role, or disable/enable them",
        description:
          "Disabling ends the user's sessions; the user's keys stop working while disabled. Refused with `TH_API_LAST_ADMIN` for a change that would leave no active admin user.",
        params: ID_PARAMS,
        body: {
          type: "object",
          additionalProperties: false,
          properties: { name: NAME_SCHEMA, email: EMAIL_SCHEMA, role: { type: "string", enum: [...ROLES] }, disabled: { type: "boolean" } },
        },
        response: { 200: USER_REF, ...errorResponses(404, 409) },
      }),
    },
    async (request) => {
      const user = await translated(accounts.admin.update(request.params.id, request.body));
      request.auditDetails = { ...request.body };
      return toUserView(user);
    },
  );

  http.post<{ Params: IdParams; Body: { password: string } }>(
    "/users/:id/password",
    {
      config: { access: "admin", audit: "user.password-reset" },
      schema: routeSchema({
        tags: ["users"],
        summary: "Set a user's password (admin reset)",
        description: "Every session of the user ends. The password has at least 12 characters and at most 1,024 bytes.",
        params: ID_PARAMS,
        body: { type: "object", additionalProperties: false, required: ["password"], properties: { password: PASSWORD_SCHEMA } },
        response: { 204: { type: "null", description: "Password set" }, ...errorResponses(404) },
      }),
    },
    async (request, reply) => {
      await translated(accounts.admin.resetPassword(request.params.id, request.body.password));
      return reply.code(204).send();
    },
  );

  http.delete<{ Params: IdParams }>(
    "/users/:id",
    {
      config: { access: "admin", audit: "user.delete" },
      schema: routeSchema({
        tags: ["users"],
        summary: "Delete a user",
        description:
          "Ends the user's sessions and revokes the user's API keys. The username stays taken. Refused with `TH_API_LAST_ADMIN` for the last active admin user.",
        params: ID_PARAMS,
        response: { 204: { type: "null", description: "Deleted" }, ...errorResponses(404, 409) },
      }),
    },
    async (request, reply) => {
      await translated(accounts.admin.remove(request.params.id));
      return reply.code(204).send();
    },
  );
}
