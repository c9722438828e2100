import { SelectInput } from "react-admin";
import { useProfiles } from "./useProfiles";

/** The value the profile pickers use for "no profile" (react-admin's empty choice means "leave unset"). */
export const NO_PROFILE = "";

/** A profile picker over `GET /profiles` (by name); "None" clears the device's profile. */
export function ProfileInput({
  source = "profileId",
  label = "Profile",
  alwaysOn,
}: {
  source?: string;
  label?: string;
  alwaysOn?: boolean;
}) {
  const { profiles, isPending } = useProfiles();
  const choices = [...profiles.values()].map((profile) => ({ id: profile.id, name: `${profile.name} (${profile.id})` }));
  return (
    <SelectInput
      source={source}
      label={label}
      choices={choices}
      isPending={isPending}
      emptyText="None"
      emptyValue={NO_PROFILE}
      alwaysOn={alwaysOn}
      data-testid="profile-input"
    />
  );
}
