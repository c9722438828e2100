import { Chip } from "@mui/material";
import { useRecordContext } from "react-admin";

/** The key fields that decide its status (`ApiKey` in docs/api.md). */
export interface KeyStatusFacts {
  revokedAt: number | null;
  expiresAt: number | null;
}

/** What a key is now: usable, revoked (when), or past its expiry (when). */
export function keyStatus(key: KeyStatusFacts, now: number): { state: "active" | "revoked" | "expired"; since?: number } {
  if (key.revokedAt !== null) return { state: "revoked", since: key.revokedAt };
  if (key.expiresAt !== null && key.expiresAt <= now) return { state: "expired", since: key.expiresAt };
  return { state: "active" };
}

/** The key's status as a chip: Active in green; Revoked or Expired with the date, in grey. */
export function KeyStatusField(_props: { label?: string }) {
  const key = useRecordContext<KeyStatusFacts>();
  if (!key) return null;
  const { state, since } = keyStatus(key, Date.now());
  const label =
    state === "active" ? "Active" : `${state === "revoked" ? "Revoked" : "Expired"} ${new Date(since as number).toLocaleDateString()}`;
  return (
    <Chip
      size="small"
      label={label}
      color={state === "active" ? "success" : "default"}
      variant={state === "active" ? "filled" : "outlined"}
      data-testid="key-status"
      data-state={state}
    />
  );
}
