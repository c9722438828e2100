import type { DataValue } from "@telehub/device-client/protocol";
import type pino from "pino";
import { LOCAL_CACHES, type SharedCaches } from "../cluster/cluster-cache-notices.js";
import type { DesiredConfigService } from "../desired-config/desired-config-service.js";
import type { DeviceRecord, DeviceRepository } from "../storage/device-repository.js";
import { type ProfileRepository, UnknownProfileError } from "../storage/profile-repository.js";
import { CommandArgsValidators, firstArgsError } from "./command-args.js";
import type { DeviceProfile, ProfileDefinition, ProfileVersionInfo } from "./profile.js";
import { profileForHello } from "./profile-match.js";
import { checkProfileRules } from "./profile-validation.js";

/** What the gateway asks of profiles when a device says hello. */
export interface HelloProfiles {
  /**
   * A device without a profile gets the first profile (by id) whose `match` matches its model
   * or firmware, and with it the profile's default configuration if it has none.
   */
  assignAtHello(device: DeviceRecord, hello: { model: string | null; firmware: string | null }): Promise<DeviceProfile | undefined>;
}

export interface ProfileServiceDeps {
  repository: ProfileRepository;
  devices: DeviceRepository;
  desiredConfig: DesiredConfigService;
  /** The profiles shipped with the hub, seeded at start when absent. */
  builtIns: readonly ProfileDefinition[];
  /** The largest default configuration, bytes of JSON (`commands.maxArgsBytes`, as for `PUT /devices/:id/config`). */
  maxConfigBytes: number;
  now: () => number;
  log: pino.Logger;
  /** Tells the other instances of a cluster when a profile changed, and this service when they changed one. Default: a single node's (nothing to tell). */
  caches?: SharedCaches;
}

/**
 * Device profiles: kept (every change a new version), checked, seeded, given to devices (by the
 * API, or at `hello` by model or firmware) with their default configuration, and used to check
 * command arguments.
 */
export class ProfileService implements HelloProfiles {
  private readonly validators = new CommandArgsValidators();
  /** Every profile by id, for matching hellos; dropped at every change. */
  private matchable: Promise<DeviceProfile[]> | undefined;
  private readonly caches: SharedCaches;

  constructor(private readonly deps: ProfileServiceDeps) {
    this.caches = deps.caches ?? LOCAL_CACHES;
    this.caches.onChanged("profiles", () => {
      this.matchable = undefined;
    });
  }

  list(page: { limit: number; offset: number }): Promise<{ items: DeviceProfile[]; total: number }> {
    return this.deps.repository.list(page);
  }

  get(id: string): Promise<DeviceProfile | undefined> {
    return this.deps.repository.get(id);
  }

  versions(id: string): Promise<ProfileVersionInfo[] | undefined> {
    return this.deps.repository.versions(id);
  }

  version(id: string, version: number): Promise<DeviceProfile | undefined> {
    return this.deps.repository.version(id, version);
  }

  /** Throws `ProfileInvalidError` (a rule broken) or `DuplicateProfileError`. */
  async create(definition: ProfileDefinition, by: string | null): Promise<DeviceProfile> {
    checkProfileRules(definition, this.deps.maxConfigBytes);
    const profile = await this.deps.repository.create({ definition, builtIn: false, at: this.deps.now(), by });
    this.profilesChanged();
    return profile;
  }

  /** Throws `ProfileInvalidError` or `ProfileVersionConflictError`; undefined if there is no such profile. */
  async update(definition: ProfileDefinition, expectedVersion: number | undefined, by: string | null): Promise<DeviceProfile | undefined> {
    checkProfileRules(definition, this.deps.maxConfigBytes);
    const profile = await this.deps.repository.update(definition.id, { definition, expectedVersion, at: this.deps.now(), by });
    this.profilesChanged();
    return profile;
  }

  /** Throws `ProfileInUseError` while a device has the profile; false if there is none. */
  async delete(id: string): Promise<boolean> {
    const deleted = await this.deps.repository.delete(id);
    this.validators.forget(id);
    this.profilesChanged();
    return deleted;
  }

  /** Create the built-in profiles that are absent (never overwriting one an operator edited); answers the ids created. */
  async seedBuiltIns(): Promise<string[]> {
    const created: string[] = [];
    for (const definition of this.deps.builtIns) {
      if (await this.deps.repository.get(definition.id)) continue;
      checkProfileRules(definition, this.deps.maxConfigBytes);
      await this.deps.repository.create({ definition, builtIn: true, at: this.deps.now(), by: null });
      created.push(definition.id);
    }
    if (created.length > 0) this.profilesChanged();
    else this.matchable = undefined;
    return created;
  }

  /** Profiles changed here: match against them from now on, here and on the other instances. */
  private profilesChanged(): void {
    this.matchable = undefined;
    this.caches.changed("profiles");
  }

  async assignAtHello(device: DeviceRecord, hello: { model: string | null; firmware: string | null }): Promise<DeviceProfile | undefined> {
    if (device.profileId !== null) return undefined;
    this.matchable ??= this.deps.repository.all().catch((error: unknown) => {
      this.matchable = undefined;
      throw error;
    });
    const profile = profileForHello(await this.matchable, hello);
    if (!profile) return undefined;
    try {
      if (!(await this.deps.devices.assignProfileIfNone(device.id, profile.id, this.deps.now()))) return undefined;
    } catch (error) {
      // Deleted since it was read: no profile this time.
      if (error instanceof UnknownProfileError) return undefined;
      throw error;
    }
    this.deps.log.info({ deviceId: device.id, profileId: profile.id }, "device got a profile by its hello");
    await this.profileGiven(device.id, profile, null);
    return profile;
  }

  /** A device got this profile: its default configuration becomes the device's desired configuration if it has none yet. */
  async profileGiven(deviceId: string, profile: DeviceProfile, by: string | null): Promise<void> {
    if (profile.defaultConfig === undefined) return;
    if (await this.deps.desiredConfig.get(deviceId)) return;
    await this.deps.desiredConfig.set(deviceId, profile.defaultConfig as { [key: string]: DataValue }, by);
  }

  /**
   * Why these arguments do not fit the `args` schema the device's profile gives the command (ajv's
   * first error); undefined when they fit, or nothing describes them (no profile, a command the
   * profile does not list, or one without `args`).
   */
  async argsProblem(device: DeviceRecord, command: string, args: { [key: string]: DataValue }): Promise<string | undefined> {
    if (device.profileId === null) return undefined;
    const profile = await this.deps.repository.get(device.profileId);
    const validate = profile && this.validators.validator(profile, command);
    if (!validate || validate(args)) return undefined;
    return firstArgsError(validate.errors);
  }
}
