import { generateId } from "../security/secrets.js";
import type { ApiKeyRepository, Role } from "../storage/api-key-repository.js";
import { DuplicateUsernameError, type UserChange, type UserRecord, type UserRepository } from "../storage/user-repository.js";
import { hashPassword, passwordProblem } from "./passwords.js";
import type { Sessions } from "./sessions.js";
import { normalizeUsername } from "./usernames.js";

/** Why a change to users was refused; the HTTP layer maps each kind to its code. */
export class UserAdminError extends Error {
  constructor(
    readonly kind: "not-found" | "conflict" | "last-admin" | "weak-password",
    message: string,
  ) {
    super(message);
    this.name = "UserAdminError";
  }
}

/** A new user as an admin describes it. */
export interface NewUser {
  username: string;
  name: string;
  email: string;
  role: Role;
  password: string;
}

/**
 * Creating, changing and removing users. Every change that takes a user's access away ends the
 * user's sessions; deleting revokes the user's keys too. Changes that could leave no active
 * admin user run one at a time and are refused (`last-admin`).
 */
export class UserAdmin {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly users: UserRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly sessions: Sessions,
    /** Close the live connections of these owners (`user:<id>`, `key:<id>`). */
    private readonly closeLive: (owners: readonly string[]) => void,
    private readonly now: () => number,
  ) {}

  async create(user: NewUser): Promise<UserRecord> {
    const problem = passwordProblem(user.password);
    if (problem) throw new UserAdminError("weak-password", problem);
    try {
      return await this.users.create({
        id: generateId(),
        username: normalizeUsername(user.username),
        name: user.name,
        email: user.email,
        role: user.role,
        passwordHash: await hashPassword(user.password),
        createdAt: this.now(),
      });
    } catch (error) {
      if (error instanceof DuplicateUsernameError) throw new UserAdminError("conflict", error.message);
      throw error;
    }
  }

  /** The user (not deleted) with this id. */
  async get(id: string): Promise<UserRecord> {
    const user = await this.users.get(id);
    if (!user || user.deletedAt !== null) throw new UserAdminError("not-found", `no user ${id}`);
    return user;
  }

  /** Change name, e-mail, role or disabled; disabling ends the user's sessions (its keys stop working while disabled). */
  async update(id: string, change: { name?: string; email?: string; role?: Role; disabled?: boolean }): Promise<UserRecord> {
    return this.oneAtATime(async () => {
      const user = await this.get(id);
      const losesAdmin =
        user.role === "admin" &&
        user.disabledAt === null &&
        ((change.role !== undefined && change.role !== "admin") || change.disabled === true);
      if (losesAdmin) await this.refuseLastAdmin("demote or disable");
      const update: UserChange = { name: change.name, email: change.email, role: change.role };
      if (change.disabled !== undefined) update.disabledAt = change.disabled ? (user.disabledAt ?? this.now()) : null;
      const updated = (await this.users.update(id, update)) as UserRecord;
      if (change.disabled === true) await this.cutOff(updated);
      return updated;
    });
  }

  /** An admin sets a new password: every session of the user ends. */
  async resetPassword(id: string, password: string): Promise<void> {
    const user = await this.get(id);
    await this.setPassword(user, password);
    await this.sessions.endAllFor(user.id);
  }

  /** The user changes their own password: every session of theirs ends (the HTTP layer starts a new one for the caller). */
  async changeOwnPassword(user: UserRecord, password: string): Promise<void> {
    await this.setPassword(user, password);
    await this.sessions.endAllFor(user.id);
  }

  /** Delete a user: sessions end, keys are revoked; the username stays taken. */
  async remove(id: string): Promise<void> {
    await this.oneAtATime(async () => {
      const user = await this.get(id);
      if (user.role === "admin" && user.disabledAt === null) await this.refuseLastAdmin("delete");
      await this.users.markDeleted(id, this.now());
      const revoked = await this.apiKeys.revokeForOwner(id, this.now());
      await this.cutOff(user, revoked);
    });
  }

  private async setPassword(user: UserRecord, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new UserAdminError("weak-password", problem);
    await this.users.setPassword(user.id, await hashPassword(password), this.now());
  }

  private async cutOff(user: UserRecord, revokedKeys: readonly string[] = []): Promise<void> {
    await this.sessions.endAllFor(user.id);
    this.closeLive([`user:${user.id}`, ...revokedKeys.map((id) => `key:${id}`)]);
  }

  private async refuseLastAdmin(what: string): Promise<void> {
    if ((await this.users.countActiveAdmins()) <= 1)
      throw new UserAdminError("last-admin", `cannot ${what} the last active admin user; make another user admin first`);
  }

  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
