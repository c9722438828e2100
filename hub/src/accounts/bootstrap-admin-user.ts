import { randomBytes } from "node:crypto";
import { generateId } from "../security/secrets.js";
import type { UserRecord, UserRepository } from "../storage/user-repository.js";
import { hashPassword, passwordProblem } from "./passwords.js";

/** Username of the admin user created at first start. */
export const INITIAL_ADMIN_USERNAME = "admin";

/**
 * Make sure a first user exists. When no user was ever created, user `admin` (role admin) is
 * made with the configured password (`adminPassword`, TELEHUB_ADMIN_PASSWORD) or a generated
 * one, which is returned so it can be printed once. Later starts change nothing.
 *
 * @throws Error when the configured password is too short or too long.
 */
export async function bootstrapAdminUser(
  users: UserRepository,
  configuredPassword: string,
  now: () => number,
): Promise<{ user: UserRecord | undefined; generatedPassword: string | undefined }> {
  if ((await users.count()) > 0) return { user: undefined, generatedPassword: undefined };
  const problem = configuredPassword === "" ? undefined : passwordProblem(configuredPassword);
  if (problem) throw new Error(`adminPassword (TELEHUB_ADMIN_PASSWORD): ${problem}`);
  const generatedPassword = configuredPassword === "" ? randomBytes(18).toString("base64url") : undefined;
  const user = await users.create({
    id: generateId(),
    username: INITIAL_ADMIN_USERNAME,
    name: "Administrator",
    email: "",
    role: "admin",
    passwordHash: await hashPassword(generatedPassword ?? configuredPassword),
    createdAt: now(),
  });
  return { user, generatedPassword };
}
