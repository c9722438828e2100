import type { DeviceProfile, ProfileDefinition, ProfileVersionInfo } from "@telehub/hub";
import { HttpError } from "react-admin";
import { hubFetch } from "../api";

const pathOf = (id: string) => `/profiles/${encodeURIComponent(id)}`;

/** The hub's error code in a refusal `hubFetch` threw. */
function codeOf(error: unknown): string | undefined {
  if (!(error instanceof HttpError)) return undefined;
  return (error.body as { error?: { code?: string } } | undefined)?.error?.code;
}

/** Someone else saved the profile after the form was loaded (`409 TH_API_PROFILE_VERSION_CONFLICT`). */
export class ProfileConflict extends Error {
  constructor(
    readonly edited: number,
    readonly current: DeviceProfile | undefined,
  ) {
    const who = current?.updatedBy ? ` (${current.updatedBy}, ${new Date(current.updatedAt).toLocaleString()})` : "";
    const saved = current ? `saved version ${current.version}${who}` : "saved a newer version";
    super(
      `Someone else ${saved} while you were editing version ${edited}. Reload to edit the newest version; your changes were not saved.`,
    );
  }
}

/** `POST /profiles`: answers the stored profile (version 1). */
export async function createProfile(definition: ProfileDefinition): Promise<DeviceProfile> {
  return (await hubFetch<DeviceProfile>("/profiles", { method: "POST", body: JSON.stringify(definition) })).json;
}

/**
 * `PUT /profiles/:id` with the version being edited: the hub refuses it when another save came
 * first, and this throws a {@link ProfileConflict} that names the newer version.
 */
export async function updateProfile(definition: ProfileDefinition, edited: number): Promise<DeviceProfile> {
  const { id, ...rest } = definition;
  try {
    const body = JSON.stringify({ ...rest, version: edited });
    return (await hubFetch<DeviceProfile>(pathOf(id), { method: "PUT", body })).json;
  } catch (error) {
    if (codeOf(error) !== "TH_API_PROFILE_VERSION_CONFLICT") throw error;
    const current = await hubFetch<DeviceProfile>(pathOf(id)).then(
      (answer) => answer.json,
      () => undefined,
    );
    throw new ProfileConflict(edited, current);
  }
}

/** `GET /profiles/:id/versions`: every saved version, newest first. */
export async function profileVersions(id: string): Promise<ProfileVersionInfo[]> {
  return (await hubFetch<{ data: ProfileVersionInfo[] }>(`${pathOf(id)}/versions`)).json.data;
}

/** `GET /profiles/:id/versions/:version`: the profile as that version was saved. */
export async function profileVersion(id: string, version: number): Promise<DeviceProfile> {
  return (await hubFetch<DeviceProfile>(`${pathOf(id)}/versions/${version}`)).json;
}
