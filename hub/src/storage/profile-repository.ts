import type { DeviceProfile, ProfileDefinition, ProfileVersionInfo } from "../profiles/profile.js";

/** A change to a profile: its new definition, who made it and when. */
export interface ProfileWrite {
  definition: ProfileDefinition;
  at: number;
  /** The caller's name; null when the hub writes (seeding the built-in profiles). */
  by: string | null;
}

/**
 * Device profiles with their history: every version a profile had stays readable. Async so
 * that a server database can implement it.
 */
export interface ProfileRepository {
  /** Sorted by id. */
  list(page: { limit: number; offset: number }): Promise<{ items: DeviceProfile[]; total: number }>;
  /** Every profile, sorted by id (auto-assignment walks them in this order). */
  all(): Promise<DeviceProfile[]>;
  get(id: string): Promise<DeviceProfile | undefined>;
  /** Create at version 1; rejects with {@link DuplicateProfileError} if the id is taken. */
  create(write: ProfileWrite & { builtIn: boolean }): Promise<DeviceProfile>;
  /**
   * Replace the definition, adding one to the version; the version replaced stays in the history.
   * With `expectedVersion`, rejects with {@link ProfileVersionConflictError} unless it is the current one.
   * Undefined if there is no such profile.
   */
  update(id: string, write: ProfileWrite & { expectedVersion?: number }): Promise<DeviceProfile | undefined>;
  /** Delete with its history; rejects with {@link ProfileInUseError} while a device has the profile. False if there is none. */
  delete(id: string): Promise<boolean>;
  /** The versions the profile has had, newest first; undefined if there is no such profile. */
  versions(id: string): Promise<ProfileVersionInfo[] | undefined>;
  /** The profile as it was at `version`. */
  version(id: string, version: number): Promise<DeviceProfile | undefined>;
}

export class DuplicateProfileError extends Error {
  constructor(readonly profileId: string) {
    super(`profile ${profileId} already exists`);
    this.name = "DuplicateProfileError";
  }
}

export class ProfileVersionConflictError extends Error {
  constructor(
    readonly profileId: string,
    readonly expected: number,
    readonly current: number,
  ) {
    super(`profile ${profileId} is at version ${current}, not ${expected}: it changed since it was read`);
    this.name = "ProfileVersionConflictError";
  }
}

export class ProfileInUseError extends Error {
  constructor(
    readonly profileId: string,
    readonly devices: number,
  ) {
    super(`profile ${profileId} is the profile of ${devices} device(s); give them another profile (or none) first`);
    this.name = "ProfileInUseError";
  }
}

/** A device was to get a profile that does not exist. */
export class UnknownProfileError extends Error {
  constructor(readonly profileId: string) {
    super(`no profile ${profileId}`);
    this.name = "UnknownProfileError";
  }
}
