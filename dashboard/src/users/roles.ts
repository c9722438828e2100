import type { Role } from "../auth/credentials";

/** The roles, smallest first, as choices for a select input. */
export const ROLE_CHOICES: { id: Role; name: Role }[] = [
  { id: "viewer", name: "viewer" },
  { id: "operator", name: "operator" },
  { id: "admin", name: "admin" },
];
