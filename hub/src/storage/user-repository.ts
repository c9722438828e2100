import type { Role } from "./api-key-repository.js";

/** A person who logs in to the dashboard or the API with a username and password. */
export interface UserRecord {
  id: string;
  /** Lowercase, unique, also among deleted users (the audit log keeps naming them). */
  username: string;
  /** Display name. */
  name: string;
  email: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (see `accounts/passwords.ts`). */
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  lastLoginAt: number | null;
  disabledAt: number | null;
  deletedAt: number | null;
}

/** Fields an admin may change on a user. */
export interface UserChange {
  name?: string;
  email?: string;
  role?: Role;
  disabledAt?: number | null;
}

/** Thrown by `create` when the username is taken (also by a deleted user). */
export class DuplicateUsernameError extends Error {
  constructor(username: string) {
    super(`username ${username} is taken`);
    this.name = "DuplicateUsernameError";
  }
}

/** Operator accounts. Async so that a server database can implement it. */
export interface UserRepository {
  create(user: Omit<UserRecord, "lastLoginAt" | "disabledAt" | "deletedAt" | "passwordChangedAt">): Promise<UserRecord>;
  /** By id, deleted users included. */
  get(id: string): Promise<UserRecord | undefined>;
  /** By username (case-insensitive), deleted users included. */
  byUsername(username: string): Promise<UserRecord | undefined>;
  /** Users that are not deleted, oldest first. */
  list(page: { limit: number; offset: number }): Promise<{ items: UserRecord[]; total: number }>;
  /** Number of users ever created (deleted ones included). */
  count(): Promise<number>;
  /** Users that are not deleted and not disabled with the admin role. */
  countActiveAdmins(): Promise<number>;
  update(id: string, change: UserChange): Promise<UserRecord | undefined>;
  setPassword(id: string, passwordHash: string, at: number): Promise<void>;
  touchLogin(id: string, at: number): Promise<void>;
  markDeleted(id: string, at: number): Promise<void>;
}
