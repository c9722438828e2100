import type { Role } from "../storage/api-key-repository.js";
import type { UserRecord } from "../storage/user-repository.js";

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  name: string;
  email: string;
  role: Role;
  createdAt: number;
  disabledAt: number | null;
  lastLoginAt: number | null;
}

export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt,
    disabledAt: user.disabledAt,
    lastLoginAt: user.lastLoginAt,
  };
}

/** JSON schema of {@link UserView}, registered as `User` for the OpenAPI document. */
export const USER_SCHEMA = {
  $id: "User",
  type: "object",
  required: ["id", "username", "name", "email", "role", "createdAt", "disabledAt", "lastLoginAt"],
  properties: {
    id: { type: "string" },
    username: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    role: { type: "string", enum: ["viewer", "operator", "admin"] },
    createdAt: { type: "integer", description: "ms since the Unix epoch" },
    disabledAt: { type: ["integer", "null"], description: "ms since the Unix epoch; null while the user may log in" },
    lastLoginAt: { type: ["integer", "null"], description: "ms since the Unix epoch of the last successful login; null if never" },
  },
} as const;

export const USER_REF = { $ref: "User#" } as const;
