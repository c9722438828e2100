import { SelectInput } from "react-admin";
import { useProfiles } from "./useProfiles";

/** The value the profile pickers use for "no profile" (react-admin's empty choice means "leave unset"). */
const NO_PROFILE = "";

/**
 * A profile picker over `GET /profiles` (by name). On a form its empty choice ("None") clears the
 * device's profile; as a list filter it drops the filter, so it says "Any".
 */
export function ProfileInput({
  source = "profileId",
  label = "Profile",
  alwaysOn,
  emptyText = "None",
}: {
  source?: string;
  label?: string;
  alwaysOn?: boolean;
  emptyText?: string;
}) {
  const { profiles, isPending } = useProfiles();
  const choices = [...profiles.values()].map((profile) => ({ id: profile.id, name: `${profile.name} (${profile.id})` }));
  return (
    <SelectInput
      source={source}
      label={label}
      choices={choices}
      isPending={isPending}
      emptyText={emptyText}
      emptyValue={NO_PROFILE}
      alwaysOn={alwaysOn}
      data-testid="profile-input"
    />
  );
}
