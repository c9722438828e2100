/** What an operator's API key may do. `viewer` reads; `operator` also changes devices and sends commands; `admin` also manages keys. */
export type Role = "viewer" | "operator" | "admin";

export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** Hash of the key's secret part. */
  secretHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Operator API keys. Async so that a server database can implement it. */
export interface ApiKeyRepository {
  create(key: { id: string; name: string; role: Role; secretHash: string; at: number }): Promise<ApiKeyRecord>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(id: string, at: number): Promise<boolean>;
  /** Number of keys that are not revoked. */
  countActive(): Promise<number>;
  touch(id: string, at: number): Promise<void>;
}
