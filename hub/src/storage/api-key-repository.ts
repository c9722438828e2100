/** What an operator (a user or an API key) may do. `viewer` reads; `operator` also changes devices and sends commands; `admin` also manages users and keys. */
export type Role = "viewer" | "operator" | "admin";

export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

/** Rank of a role: a caller may act at or below its own. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** Hash of the key's secret part. */
  secretHash: string;
  /** The user the key acts for; null for a key made before accounts existed ("legacy"). */
  ownerId: string | null;
  /** After this the key is refused like a revoked one; null: never expires. */
  expiresAt: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What a new key is made of; `at` becomes its `createdAt`. */
export type NewApiKey = Pick<ApiKeyRecord, "id" | "name" | "role" | "secretHash" | "ownerId" | "expiresAt"> & { at: number };

/** Operator API keys. Async so that a server database can implement it. */
export interface ApiKeyRepository {
  create(key: NewApiKey): Promise<ApiKeyRecord>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(id: string, at: number): Promise<boolean>;
  /** Revoke every key a user owns; answers the revoked ids. */
  revokeForOwner(ownerId: string, at: number): Promise<string[]>;
  /** Number of keys that are not revoked. */
  countActive(): Promise<number>;
  touch(id: string, at: number): Promise<void>;
}
