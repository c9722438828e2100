/** Who preferences belong to: `user:<id>` (a user, whichever session) or `key:<id>` (an API key). */
export type PreferenceOwner = `user:${string}` | `key:${string}`;

/** A caller's dashboard preferences: one JSON object per principal, replaced whole. Async so that a server database can implement it. */
export interface PreferenceRepository {
  /** The owner's preferences; `{}` if none were stored. */
  get(owner: PreferenceOwner): Promise<Record<string, unknown>>;
  /** Replace the owner's preferences. */
  put(owner: PreferenceOwner, preferences: Record<string, unknown>, at: number): Promise<void>;
}
