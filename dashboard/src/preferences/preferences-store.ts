import { hubFetch } from "../api";
import { currentIdentity, onIdentityChange } from "../auth/credentials";

/** The caller's preferences: `GET`/`PUT /api/v1/me/preferences`, one JSON object (docs/api.md). */
export type Preferences = Record<string, unknown>;

/** Where the preferences in memory came from: the hub, or this browser's copy while the hub cannot be reached. */
export type PreferencesSource = "loading" | "hub" | "local";

interface Snapshot {
  preferences: Preferences;
  source: PreferencesSource;
}

const LOCAL_PREFIX = "telehub.preferences.";

let snapshot: Snapshot = { preferences: {}, source: "loading" };
let loading: Promise<void> | undefined;
let saving: Promise<void> = Promise.resolve();
const listeners = new Set<() => void>();

/** This browser's copy is per principal, so two logins in one browser keep their own. */
function localKey(): string | undefined {
  const identity = currentIdentity();
  if (!identity) return undefined;
  return LOCAL_PREFIX + (identity.kind === "session" ? `user:${identity.user.id}` : `key:${identity.name}`);
}

function readLocal(): Preferences {
  const key = localKey();
  try {
    const value: unknown = key ? JSON.parse(localStorage.getItem(key) ?? "{}") : {};
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Preferences) : {};
  } catch {
    return {};
  }
}

function writeLocal(preferences: Preferences | undefined): void {
  const key = localKey();
  if (!key) return;
  if (preferences) localStorage.setItem(key, JSON.stringify(preferences));
  else localStorage.removeItem(key);
}

function publish(next: Snapshot): void {
  snapshot = next;
  for (const listener of listeners) listener();
}

/** Ask the hub once per login; a failed request falls back to this browser's copy. */
function load(): Promise<void> {
  loading ??= hubFetch<Preferences>("/me/preferences").then(
    ({ json }) => {
      writeLocal(undefined);
      publish({ preferences: json, source: "hub" });
    },
    () => publish({ preferences: readLocal(), source: "local" }),
  );
  return loading;
}

onIdentityChange(() => {
  loading = undefined;
  publish({ preferences: {}, source: "loading" });
});

/** The preferences now (after {@link subscribePreferences} started loading them). */
export function preferencesSnapshot(): Snapshot {
  return snapshot;
}

/** Be told of every change; starts loading the preferences. */
export function subscribePreferences(listener: () => void): () => void {
  listeners.add(listener);
  void load();
  return () => listeners.delete(listener);
}

/**
 * Change one top-level key (`update` gets its stored value once the preferences are loaded, so no
 * change is lost, not even one made while an earlier one is still being stored) and store the
 * whole object with `PUT`, one call after the other. While the hub refuses or
 * cannot be reached, the object is kept in this browser's `localStorage` instead; the next
 * successful `PUT` or `GET` drops that copy.
 */
export function updatePreference(key: string, update: (stored: unknown) => unknown): Promise<void> {
  saving = saving.then(load).then(() => {
    const preferences = { ...snapshot.preferences, [key]: update(snapshot.preferences[key]) };
    publish({ preferences, source: snapshot.source });
    return hubFetch("/me/preferences", { method: "PUT", body: JSON.stringify(preferences) }).then(
      () => {
        writeLocal(undefined);
        if (snapshot.preferences === preferences) publish({ preferences, source: "hub" });
      },
      () => {
        writeLocal(preferences);
        if (snapshot.preferences === preferences) publish({ preferences, source: "local" });
      },
    );
  });
  return saving;
}
